"""IIE Open Doors: published figures kept as a versioned seed CSV (IIE has no API; docs/methods.md#iie-open-doors).

Each row names the page it was transcribed from and when. Academic years keep their label
("2019/20") and map to their start year (2019), the convention of every other annual series here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from pipeline.http import SourceError
from pipeline.settings import REPO_ROOT, repo_relative

SOURCE = "iie_open_doors"
SEED_CSV = REPO_ROOT / "pipeline" / "reference" / "open_doors_china_us.csv"
COLUMNS = ("origin", "destination", "academic_year", "students", "confirmed", "source_page", "retrieved_on", "note")
ACADEMIC_YEAR = r"^(\d{4})/(\d{2})$"


def seed_version(path: Path | None = None) -> str:
    """The seed's version as rows record it: file name and the first 12 hex digits of its sha256."""
    seed = path or SEED_CSV
    return f"{seed.name}@{hashlib.sha256(seed.read_bytes()).hexdigest()[:12]}"


def start_year(label: pl.Expr) -> pl.Expr:
    """'2019/20' → 2019; NULL when the label is not of that form."""
    return label.str.extract(ACADEMIC_YEAR, 1).cast(pl.Int32, strict=False)


def _fail(path: Path, rule: str, bad: pl.DataFrame, detail: str = "") -> SourceError:
    first = bad.row(0, named=True)
    return SourceError(
        SOURCE,
        rule,
        request=f"seed:{repo_relative(path)}",
        record=f"line {first['source_line']}: {first['academic_year']!r}",
        detail=(detail + f" ({bad.height} row(s))").strip(),
    )


def read_seed(path: Path | None = None) -> pl.DataFrame:
    """The seed as typed rows; a malformed academic year or count is a SourceError naming the line."""
    path = path or SEED_CSV
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        # e.g. an unquoted thousands separator gives a line more fields than the header
        raise SourceError(
            SOURCE, "seed is not well-formed CSV", request=f"seed:{repo_relative(path)}", detail=str(exc)[:200]
        ) from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise SourceError(SOURCE, "seed header changed", request=f"seed:{repo_relative(path)}", detail=f"{missing}")
    # Line 1 is the header, so data row i sits on line i + 2.
    frame = frame.with_row_index("source_line", offset=2).with_columns(
        start_year(pl.col("academic_year")).alias("year"),
        pl.col("academic_year").str.extract(ACADEMIC_YEAR, 2).cast(pl.Int32, strict=False).alias("_end2"),
        pl.col("students").cast(pl.Int64, strict=False).alias("_students"),
    )
    malformed = frame.filter(pl.col("year").is_null() | pl.col("_end2").is_null())
    if malformed.height:
        raise _fail(path, "academic year is not of the form YYYY/YY", malformed)
    # '2019/21' or '2091/20': the two halves must be consecutive years.
    inconsistent = frame.filter((pl.col("year") + 1) % 100 != pl.col("_end2"))
    if inconsistent.height:
        raise _fail(path, "academic year halves are not consecutive years", inconsistent)
    bad_count = frame.filter(pl.col("_students").is_null())
    if bad_count.height:
        raise _fail(path, "students is not a whole number", bad_count)
    return frame.select(
        "origin",
        "destination",
        pl.col("academic_year").alias("academic_year_label"),
        pl.col("year").cast(pl.Int32),
        pl.col("_students").alias("students"),
        (pl.col("confirmed").str.to_lowercase() == "true").alias("confirmed"),
        "source_page",
        pl.col("retrieved_on").str.to_date("%Y-%m-%d", strict=False),
        "note",
        pl.col("source_line").cast(pl.Int32),
        pl.lit(f"seed:{repo_relative(path)}").alias("request"),
    )
