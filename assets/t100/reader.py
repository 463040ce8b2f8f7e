"""BTS T-100 Segment files (TranStats downloads) → one typed polars frame per file.

T-100 has no API (docs/methods.md#bts-t-100-segment-files): the yearly "T-100 International Segment (All Carriers)" and
"T-100 Domestic Segment (All Carriers)" downloads are dropped into a directory as vendored input. This
module finds them, checksums them, and reads each one strictly: a changed header (a required column
missing, or one we do not know), a truncated zip or a count that is not a non-negative integer stops
the load with a `SourceError` naming the file, the CSV line and the column, instead of loading a
silently wrong series.

Real shape (fixtures/real/dot_bts, PROVENANCE.md §3b): comma-separated, CRLF, minimal quoting, header
in upper snake case. Older downloads write counts as integers (`9440`), newer ones as `8352.00`; both
are accepted. The real international header has **no** DATA_SOURCE column (our research notes listed one from
a loader's field list), so DATA_SOURCE is optional here. The domestic file carries state columns
(ORIGIN_STATE_ABR, ...) instead of country columns; see `read_t100`.
"""

from __future__ import annotations

import csv
import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.http import SourceError

SOURCE_INTERNATIONAL = "bts_t100_international_segment"
SOURCE_DOMESTIC = "bts_t100_domestic_segment"
KINDS = ("international", "domestic")
SOURCE_BY_KIND = {"international": SOURCE_INTERNATIONAL, "domestic": SOURCE_DOMESTIC}

# TranStats names the download after the table; manual downloads often get a numeric job prefix
# (e.g. "104154270_T_T100D_SEGMENT_ALL_CARRIER.csv") and we suggest a year suffix, so match loosely.
FILE_PATTERNS: dict[str, tuple[str, ...]] = {
    "international": ("*T_T100I_SEGMENT_ALL_CARRIER*.zip", "*T_T100I_SEGMENT_ALL_CARRIER*.csv"),
    "domestic": ("*T_T100D_SEGMENT_ALL_CARRIER*.zip", "*T_T100D_SEGMENT_ALL_CARRIER*.csv"),
}

# The columns the pipeline uses. Both real excerpts (2024-01, 2026-02) carry all of them.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "PASSENGERS",
    "SEATS",
    "DEPARTURES_PERFORMED",
    "UNIQUE_CARRIER",
    "AIRLINE_ID",
    "ORIGIN",
    "ORIGIN_COUNTRY",
    "DEST",
    "DEST_COUNTRY",
    "YEAR",
    "MONTH",
    "CLASS",
)
# Domestic segment files have ORIGIN_STATE_ABR/..._NM/..._FIPS where the international file has
# ORIGIN_COUNTRY/..._NAME (field list of a public TranStats downloader for T_T100D_SEGMENT_*; no real
# domestic download was available to check). Country columns are therefore not required there.
DOMESTIC_REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in REQUIRED_COLUMNS if not c.endswith("_COUNTRY"))
# Used when present: DATA_SOURCE is absent from both real headers; UNIQUE_CARRIER_NAME is present.
OPTIONAL_COLUMNS: tuple[str, ...] = ("DATA_SOURCE", "UNIQUE_CARRIER_NAME", "CARRIER_NAME")

# Full header of the real international download (both excerpts, 2024 and 2026, identical).
_INTERNATIONAL_HEADER_LINE = (
    "DEPARTURES_SCHEDULED,DEPARTURES_PERFORMED,PAYLOAD,SEATS,PASSENGERS,FREIGHT,MAIL,DISTANCE,RAMP_TO_RAMP,"
    "AIR_TIME,UNIQUE_CARRIER,AIRLINE_ID,UNIQUE_CARRIER_NAME,UNIQUE_CARRIER_ENTITY,REGION,CARRIER,CARRIER_NAME,"
    "CARRIER_GROUP,CARRIER_GROUP_NEW,ORIGIN_AIRPORT_ID,ORIGIN_AIRPORT_SEQ_ID,ORIGIN_CITY_MARKET_ID,ORIGIN,"
    "ORIGIN_CITY_NAME,ORIGIN_COUNTRY,ORIGIN_COUNTRY_NAME,ORIGIN_WAC,DEST_AIRPORT_ID,DEST_AIRPORT_SEQ_ID,"
    "DEST_CITY_MARKET_ID,DEST,DEST_CITY_NAME,DEST_COUNTRY,DEST_COUNTRY_NAME,DEST_WAC,AIRCRAFT_GROUP,"
    "AIRCRAFT_TYPE,AIRCRAFT_CONFIG,YEAR,QUARTER,MONTH,DISTANCE_GROUP,CLASS"
)
INTERNATIONAL_HEADER: tuple[str, ...] = tuple(_INTERNATIONAL_HEADER_LINE.split(","))
# Domestic header as a public TranStats downloader selects it (UNCONFIRMED against a real download).
_DOMESTIC_HEADER_LINE = (
    "DEPARTURES_SCHEDULED,DEPARTURES_PERFORMED,PAYLOAD,SEATS,PASSENGERS,FREIGHT,MAIL,DISTANCE,RAMP_TO_RAMP,"
    "AIR_TIME,UNIQUE_CARRIER,AIRLINE_ID,UNIQUE_CARRIER_NAME,UNIQUE_CARRIER_ENTITY,REGION,CARRIER,CARRIER_NAME,"
    "CARRIER_GROUP,CARRIER_GROUP_NEW,ORIGIN_AIRPORT_ID,ORIGIN_AIRPORT_SEQ_ID,ORIGIN_CITY_MARKET_ID,ORIGIN,"
    "ORIGIN_CITY_NAME,ORIGIN_STATE_ABR,ORIGIN_STATE_FIPS,ORIGIN_STATE_NM,ORIGIN_WAC,DEST_AIRPORT_ID,"
    "DEST_AIRPORT_SEQ_ID,DEST_CITY_MARKET_ID,DEST,DEST_CITY_NAME,DEST_STATE_ABR,DEST_STATE_FIPS,DEST_STATE_NM,"
    "DEST_WAC,AIRCRAFT_GROUP,AIRCRAFT_TYPE,AIRCRAFT_CONFIG,YEAR,QUARTER,MONTH,DISTANCE_GROUP,CLASS"
)
DOMESTIC_HEADER: tuple[str, ...] = tuple(_DOMESTIC_HEADER_LINE.split(","))
KNOWN_COLUMNS = frozenset(INTERNATIONAL_HEADER) | frozenset(DOMESTIC_HEADER) | frozenset(OPTIONAL_COLUMNS)

# Service classes a segment row can carry. Our research notes gave F/L (passenger) and G/P (all-cargo) from
# memory and marked them UNCONFIRMED. The names below are from 14 CFR 241 §19-4 "Service classes" (eCFR
# text, e.g. github.com/AlextheYounga/ecfr, part-241 .../section-19-4.md), which confirms those four and
# adds the military and foreign "other" classes; its roll-ups K (F+G), V (L+N+P+R) and Z (all) are report
# totals, not segment rows, so they are left out. That BTS downloads use exactly these letters is still
# inferred from the regulation, not from the BTS lookup table (not seen); the excerpts show F and L.
KNOWN_CLASSES: dict[str, str] = {
    "F": "Scheduled Passenger/Cargo",  # passenger
    "G": "Scheduled All-Cargo",
    "L": "Nonscheduled Civilian Passenger/Cargo",  # passenger (charters)
    "N": "Nonscheduled Military Passenger/Cargo",  # military charters: not civilian demand
    "P": "Nonscheduled Civilian All-Cargo",
    "Q": "Nonscheduled Services other than Charter (foreign carriers)",
    "R": "Nonscheduled Military All-Cargo",
}
# Civilian passenger service: the classes the arrival proxies count (the warehouse filters on these).
PASSENGER_CLASSES: tuple[str, ...] = ("F", "L")

# Counts that must be non-negative integers (possibly written "8352.00") → Int64.
COUNT_COLUMNS: dict[str, str] = {
    "PASSENGERS": "passengers",
    "SEATS": "seats",
    "DEPARTURES_PERFORMED": "departures_performed",
    "AIRLINE_ID": "airline_id",
    "YEAR": "year",
    "MONTH": "month",
}
OUTPUT_COLUMNS: tuple[str, ...] = (
    "kind",
    "year",
    "month",
    "unique_carrier",
    "airline_id",
    "carrier_name",
    "origin",
    "origin_country",
    "dest",
    "dest_country",
    "class",
    "aircraft_type",
    "aircraft_config",
    "unique_carrier_entity",
    "region",
    "data_source",
    "passengers",
    "seats",
    "departures_performed",
    "source_line",
    "file_name",
    "file_sha256",
)
HEADER_LINE = 1  # data starts on CSV line 2; source_line counts physical lines (no embedded newlines in T-100)
_INTEGRAL = r"^\d+(\.0*)?$"  # "9440", "8352.00", "12." — non-negative and integral
_NUMBER = r"^-?(\d+\.?\d*|\.\d+)$"


@dataclass(frozen=True)
class T100File:
    """One downloaded T-100 file: where it is, which table it holds and what exactly it contained."""

    path: Path
    kind: str  # 'international' | 'domestic'
    sha256: str
    size: int

    @property
    def source(self) -> str:
        return SOURCE_BY_KIND[self.kind]

    @property
    def name(self) -> str:
        return self.path.name


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (yearly domestic files are ~100 MB unzipped)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def kind_of(path: Path) -> str | None:
    """'international' / 'domestic' when the name matches a TranStats T-100 segment download."""
    for kind, patterns in FILE_PATTERNS.items():
        if any(path.match(p) for p in patterns):
            return kind
    return None


def discover(directory: Path) -> list[T100File]:
    """Every T-100 segment file directly in `directory`, sorted by name, with size and sha256."""
    if not directory.is_dir():
        raise FileNotFoundError(f"T-100 directory not found: {directory}")
    files = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        kind = kind_of(path)
        if kind is not None:
            files.append(T100File(path=path, kind=kind, sha256=sha256_file(path), size=path.stat().st_size))
    return files


def _read_bytes(file: T100File) -> bytes:
    """The CSV bytes: the single .csv member of a zip, or the bare file."""
    if file.path.suffix.lower() != ".zip":
        return file.path.read_bytes()
    try:
        with zipfile.ZipFile(file.path) as zf:
            members = [i for i in zf.infolist() if not i.is_dir() and i.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise SourceError(
                    file.source,
                    "zip must hold exactly one CSV",
                    record=file.name,
                    detail=f"CSV members: {[m.filename for m in members]}",
                )
            return zf.read(members[0])  # checks the CRC, so a damaged member fails here
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SourceError(file.source, "zip file truncated or corrupt", record=file.name, detail=str(exc)) from None


def _header(data: bytes, file: T100File) -> list[str]:
    first = data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", errors="replace")
    names = next(csv.reader([first]), [])
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    required = REQUIRED_COLUMNS if file.kind == "international" else DOMESTIC_REQUIRED_COLUMNS
    missing = [c for c in required if c not in names]
    unexpected = [n for n in names if n and n not in KNOWN_COLUMNS]
    if missing or duplicated or unexpected:
        raise SourceError(
            file.source,
            "T-100 header changed",
            record=file.name,
            detail=f"missing: {missing}; duplicated: {duplicated}; unexpected: {unexpected}",
        )
    return names


def _check_counts(df: pl.DataFrame, file: T100File) -> None:
    """Raise on the first value of a count column that is not a non-negative integer."""
    for column in COUNT_COLUMNS:
        value = pl.col(column).fill_null("").str.strip_chars()
        rule = (
            pl.when(value == "")
            .then(pl.lit("empty value"))
            .when(~value.str.contains(_NUMBER))
            .then(pl.lit("not a number"))
            .when(value.str.starts_with("-") & (value.str.strip_chars("-0.") != ""))
            .then(pl.lit("negative count"))
            .when(~value.str.strip_chars_start("-").str.contains(_INTEGRAL))
            .then(pl.lit("non-integral count"))
        )
        bad = df.select("source_line", pl.col(column).alias("value"), rule.alias("rule")).filter(
            pl.col("rule").is_not_null()
        )
        if bad.height:
            line, raw, why = bad.row(0)
            raise SourceError(
                file.source,
                f"T-100 {why}",
                record=f"{file.name} line {line}",
                detail=f"column {column} = {raw!r} ({bad.height} bad value(s) in this column)",
            )


def _to_int(column: str) -> pl.Expr:
    # Strip a trailing ".00" textually: exact for any size, unlike a float round-trip.
    text = pl.col(column).str.strip_chars().str.replace(r"\.0*$", "")
    return text.str.replace(r"^-0+$", "0").cast(pl.Int64)


def _parse(file: T100File) -> pl.DataFrame:
    """The file's CSV as text columns with `source_line`, its header and counts checked."""
    data = _read_bytes(file)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    names = _header(data, file)
    try:
        df = pl.read_csv(
            data,
            infer_schema=False,  # everything as text first: codes like "01260" keep their zeros
            row_index_name="source_line",
            row_index_offset=HEADER_LINE + 1,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceError(file.source, "T-100 CSV could not be parsed", record=file.name, detail=str(exc)) from None
    if "" in names:  # old TranStats exports end every line with a comma: an empty, nameless column
        df = df.drop([c for c in df.columns if c == ""])
    _check_counts(df, file)
    return df


def _typed(df: pl.DataFrame, file: T100File) -> pl.DataFrame:
    """The parsed text columns as the typed output columns."""

    def text(column: str) -> pl.Expr:
        return pl.col(column).str.strip_chars() if column in df.columns else pl.lit(None, dtype=pl.String)

    default_country = pl.lit("US" if file.kind == "domestic" else None, dtype=pl.String)
    return df.select(
        pl.lit(file.kind).alias("kind"),
        *(_to_int(c).alias(COUNT_COLUMNS[c]) for c in ("YEAR", "MONTH")),
        text("UNIQUE_CARRIER").alias("unique_carrier"),
        _to_int("AIRLINE_ID").alias("airline_id"),
        pl.coalesce(text("UNIQUE_CARRIER_NAME"), text("CARRIER_NAME")).alias("carrier_name"),
        text("ORIGIN").alias("origin"),
        pl.coalesce(text("ORIGIN_COUNTRY"), default_country).alias("origin_country"),
        text("DEST").alias("dest"),
        pl.coalesce(text("DEST_COUNTRY"), default_country).alias("dest_country"),
        text("CLASS").alias("class"),
        # A segment is reported per aircraft type and configuration (1 passenger, 2 freight, 3 combi,
        # 4 seaplane) and per carrier entity and region: all part of a row's identity (PROVENANCE §3b).
        text("AIRCRAFT_TYPE").alias("aircraft_type"),
        text("AIRCRAFT_CONFIG").alias("aircraft_config"),
        text("UNIQUE_CARRIER_ENTITY").alias("unique_carrier_entity"),
        text("REGION").alias("region"),
        text("DATA_SOURCE").alias("data_source"),
        *(_to_int(c).alias(COUNT_COLUMNS[c]) for c in ("PASSENGERS", "SEATS", "DEPARTURES_PERFORMED")),
        pl.col("source_line").cast(pl.Int64),
        pl.lit(file.name).alias("file_name"),
        pl.lit(file.sha256).alias("file_sha256"),
    )


def read_t100(file: T100File) -> pl.DataFrame:
    """The file's rows as a typed frame (`OUTPUT_COLUMNS`), every service class kept.

    Counts become Int64; `source_line` is the CSV line (header = line 1) for error messages and
    provenance. Domestic files have no country columns: BTS codes every airport of the US and its
    territories as country "US" (the real international file gives SJU "San Juan, PR" as US), so
    domestic rows get "US" unless the file carries the columns itself.
    """
    if file.kind not in KINDS:
        raise ValueError(f"unknown T-100 kind {file.kind!r}")
    out = _typed(_parse(file), file)
    bad_month = out.filter(~pl.col("month").is_between(1, 12))
    if bad_month.height:
        raise SourceError(
            file.source,
            "T-100 month out of range",
            record=f"{file.name} line {bad_month['source_line'][0]}",
            detail=f"column MONTH = {bad_month['month'][0]}",
        )
    return out.select(OUTPUT_COLUMNS)
