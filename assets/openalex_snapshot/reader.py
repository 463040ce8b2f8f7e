"""OpenAlex snapshot reader: find and check a local copy of `s3://openalex`, read works partitions.

Plain functions over a DuckDB connection (no Dagster code; `pipeline.warehouse` only lends `package_sql`).
Three steps:

1. `open_snapshot(root)` finds the layout and checks the download against the manifest: every part
   the manifest lists exists with its `content_length`. Layouts (docs/methods.md#openalex-snapshot):
   - `legacy` (≤2025): `data/works/updated_date=YYYY-MM-DD/NNNN_part_00.gz` + `data/works/manifest`
     (also under `legacy-data/` or `legacy-data/data/`, where the 2026 bucket keeps it);
   - `jsonl` (2026): `data/jsonl/works/updated_date=.../part_NNNN.gz` + `data/jsonl/manifest.json`
     (one manifest for every entity; only the works entries are used);
   - `parquet` (2026, from the June 2026 release): `data/parquet/works/updated_date=.../*.parquet` +
     `data/parquet/manifest.json`. Preferred over `jsonl` when its manifest is there and it covers
     every partition the JSON Lines manifest lists (a copy still rolling out is not used).
   Only parts the manifest lists are read: a partition being rewritten has no manifest (OpenAlex
   deletes it while writing), and stale files left by a sync without `--delete` are reported in
   `Snapshot.unlisted`, never read.
2. `stage_partition(conn, snapshot, partition, parts)` reads one `updated_date` partition, or a batch
   of its parts (`part_batches`), with DuckDB (`staging.sql` beside this module); the
   compact rows the papers pipeline needs (`OUTPUT_COLUMNS`, parsed as `raw/openalex_works.sql` parses
   an API work) are then `STAGED_ROWS_SQL`, still inside DuckDB. `extract_partition` fetches them as
   a polars frame.
3. `merged_ids(conn, snapshot, after)` reads the merged-id files newer than a watermark.

The release of a snapshot (`Snapshot.release`) is the newest `updated_date` among its works
partitions, as an ISO date: the files carry no release id, and the newest partition is the date the
data run through. It is stored with every extracted row (`snapshot_release`).

Read strategy (measured on 1M synthetic works, benchmarks/generate_snapshot.py): `read_json` with an
explicit `columns=` spec of only the needed fields and `ignore_errors=true`. It parses each record
once, and a line that is not JSON gives exactly one all-NULL row, so the quarantine count is exact.
Reading lines as text (`read_csv`) and parsing with `from_json` was no faster and keeps decompressed
gzip buffers cached up to DuckDB's memory limit (4.8 GB RSS at 1M works); `read_json` stays near 1 GB.
DuckDB does not verify gzip checksums, so the CRC of a part is checked (in Python, on that part only)
when it looks wrong: quarantined lines, or a record count off the manifest's `record_count`.
Errors are `SourceError(source="openalex_snapshot", rule=..., record=<file relative to the root>)`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assets.openalex_snapshot.table import OPENALEX_SNAPSHOT_WORKS
from pipeline.http import SourceError
from pipeline.warehouse import package_sql

SOURCE = "openalex_snapshot"
SQL_FILE = "staging.sql"  # shipped beside this module
LAYOUTS = ("legacy", "jsonl", "parquet")
SAMPLE_LIMIT = 5  # quarantine samples kept per reason
MERGED_IDS_HEADER = ("merge_date", "id", "merge_into_id")
# Staging statements per layout (the macros are in SQL_FILE).
STAGE = {
    "legacy": "INSERT INTO snapshot_staged SELECT * FROM snapshot_jsonl_works($files)",
    "jsonl": "INSERT INTO snapshot_staged SELECT * FROM snapshot_jsonl_works($files)",
    "parquet": "INSERT INTO snapshot_staged SELECT * FROM snapshot_parquet_works($files)",
}
# The contract rows of the staged partition (variables set by stage_partition).
STAGED_ROWS_SQL = (
    "SELECT * FROM snapshot_work_rows(getvariable('snapshot_partition'), getvariable('snapshot_release'), "
    "getvariable('snapshot_root_prefix'))"
)
PROBE = {
    "legacy": "SELECT count(*) FROM snapshot_jsonl_works($files)",
    "jsonl": "SELECT count(*) FROM snapshot_jsonl_works($files)",
    "parquet": "SELECT count(*) FROM snapshot_parquet_works($files)",
}

# The contract the pipeline wires to: column -> DuckDB type (and the polars dtype of `rows`): the declared
# columns of raw.openalex_snapshot_works but the provenance the load adds.
OUTPUT_COLUMNS: dict[str, str] = {
    c.name: c.type
    for c in OPENALEX_SNAPSHOT_WORKS.columns
    if c.name not in ("source", "source_mode", "retrieved_at", "load_id")
}
OUTPUT_SCHEMA = pl.Schema(
    {
        "work_id": pl.String,
        "publication_year": pl.Int32,
        "type": pl.String,
        "is_paratext": pl.Boolean,
        "is_retracted": pl.Boolean,
        "is_authors_truncated": pl.Boolean,
        "n_authorships": pl.Int32,
        "countries": pl.List(pl.String),
        "issns": pl.List(pl.String),
        "authorships": pl.List(
            pl.Struct(
                {
                    "institutions": pl.List(pl.Struct({"id": pl.String, "country_code": pl.String})),
                    "countries": pl.List(pl.String),
                }
            )
        ),
        "authors": pl.List(
            pl.Struct(
                {"id": pl.String, "institutions": pl.List(pl.Struct({"display_name": pl.String, "ror": pl.String}))}
            )
        ),
        "field_id": pl.String,
        "field": pl.String,
        "domain_id": pl.String,
        "domain": pl.String,
        "updated_date": pl.Date,
        "part_file": pl.String,
        "snapshot_release": pl.String,
    }
)
MERGED_IDS_SCHEMA = pl.Schema({"merge_date": pl.Date, "id": pl.String, "merge_into_id": pl.String})

_PARTITION_DIR = re.compile(r"^updated_date=(\d{4}-\d{2}-\d{2})$")
_WORKS_URL = re.compile(r"/works/(updated_date=(\d{4}-\d{2}-\d{2})/[^/]+)$")
_MERGED_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.csv(\.gz)?$")


@dataclass(frozen=True)
class Part:
    """One data file of a works partition, with what the manifest says about it (None: not said)."""

    path: Path
    updated_date: date
    record_count: int | None
    content_length: int | None


@dataclass(frozen=True)
class Snapshot:
    """A checked local snapshot. `parts` are the manifest's works parts, sorted by (date, path)."""

    root: Path
    layout: str  # one of LAYOUTS
    release: str  # newest updated_date among the works partitions, ISO date
    parts: tuple[Part, ...]
    merged_ids: tuple[tuple[date, Path], ...]  # merged_ids/works files, by date
    manifest: Path
    unlisted: tuple[Path, ...] = ()  # files in the works folder the manifest does not list (not read)

    def partitions(self, after: date | None = None) -> list[date]:
        """The updated_date partitions, oldest first; only those strictly newer than `after` if given."""
        dates = sorted({p.updated_date for p in self.parts})
        return [d for d in dates if after is None or d > after]

    def parts_of(self, partition: date) -> list[Part]:
        return [p for p in self.parts if p.updated_date == partition]

    def relative(self, path: Path) -> str:
        """A path as stored in `part_file` and named in errors: relative to the snapshot root."""
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)


@dataclass(frozen=True)
class QuarantineSample:
    reason: str  # "not_json" (line is not a JSON work object) | "no_authorships"
    part_file: str  # relative to the snapshot root
    line: int | None = None  # record number in the part (1-based; blank lines not counted)
    work_id: str | None = None


@dataclass(frozen=True)
class PartitionStats:
    """What reading (some parts of) one partition gave, besides the rows."""

    partition: date
    parts_read: int
    records_read: int  # non-blank lines (JSON Lines) or rows (Parquet) read, quarantined ones included
    quarantined_lines: int  # lines that are not a JSON work object (not JSON, not an object, no id)
    # works with a missing or empty authorships list: reported, but kept as unlocated works (the API
    # path counts them in mart.papers_quality too)
    quarantined_no_authorships: int
    duplicates: int  # records dropped because their work id was already in the parts read together
    samples: tuple[QuarantineSample, ...] = field(default_factory=tuple)

    def __add__(self, other: PartitionStats) -> PartitionStats:
        """Two batches of the same partition read one after the other (samples capped per reason)."""
        by_reason: dict[str, list[QuarantineSample]] = {}
        for sample in (*self.samples, *other.samples):
            kept_for_reason = by_reason.setdefault(sample.reason, [])
            if len(kept_for_reason) < SAMPLE_LIMIT:
                kept_for_reason.append(sample)
        kept = tuple(s for group in by_reason.values() for s in group)
        return PartitionStats(
            self.partition,
            self.parts_read + other.parts_read,
            self.records_read + other.records_read,
            self.quarantined_lines + other.quarantined_lines,
            self.quarantined_no_authorships + other.quarantined_no_authorships,
            self.duplicates + other.duplicates,
            kept,
        )


@dataclass(frozen=True, kw_only=True)
class PartitionExtract(PartitionStats):
    """One partition read. `rows` is a polars DataFrame with exactly OUTPUT_COLUMNS (one row per work
    id, no particular order)."""

    rows: pl.DataFrame


# --- discovery ------------------------------------------------------------------------------------


def _fail(rule: str, record: str, detail: str = "") -> SourceError:
    return SourceError(SOURCE, rule, record=record, detail=detail)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _manifest_parts(root: Path, manifest: Path, works_dir: Path) -> list[Part]:
    """The works parts a manifest lists, each checked against the local file."""
    name = _rel(root, manifest)
    if not manifest.is_file():
        raise _fail(
            "manifest is missing",
            name,
            "OpenAlex removes a manifest while it rewrites the data: the copy is incomplete or mid-update",
        )
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("entries")
    except (ValueError, AttributeError) as exc:
        raise _fail("manifest is not valid JSON", name, str(exc)) from None
    if not isinstance(entries, list):
        raise _fail("manifest has no entries list", name)
    parts: dict[Path, Part] = {}
    for entry in entries:
        url = str((entry or {}).get("url") or "")
        match = _WORKS_URL.search(url)
        if match is None:
            if "/works/" in url:
                raise _fail("manifest entry is not a works part path", name, f"url {url!r}")
            continue  # another entity of a combined manifest
        path = works_dir / match.group(1)
        meta = entry.get("meta") or {}
        content_length, record_count = meta.get("content_length"), meta.get("record_count")
        if not path.is_file():
            raise _fail("manifest lists a part that is missing", _rel(root, path), f"manifest {name} lists {url}")
        size = path.stat().st_size
        if content_length is not None and size != int(content_length):
            raise _fail(
                "part size differs from the manifest (truncated or stale download)",
                _rel(root, path),
                f"manifest content_length {content_length}, local size {size}",
            )
        try:
            updated = date.fromisoformat(match.group(2))
        except ValueError:
            raise _fail("part has an invalid updated_date", _rel(root, path)) from None
        parts[path] = Part(
            path,
            updated,
            None if record_count is None else int(record_count),
            None if content_length is None else int(content_length),
        )
    if not parts:
        raise _fail("works folder has no partitions", _rel(root, works_dir), f"manifest {name} lists no works part")
    return sorted(parts.values(), key=lambda p: (p.updated_date, p.path.as_posix()))


def _check_partition_dirs(root: Path, works_dir: Path) -> None:
    if not works_dir.is_dir() or not any(d.is_dir() and _PARTITION_DIR.match(d.name) for d in works_dir.iterdir()):
        raise _fail("works folder has no partitions", _rel(root, works_dir), "no updated_date=YYYY-MM-DD folder")


def _unlisted(works_dir: Path, parts: Sequence[Part]) -> tuple[Path, ...]:
    listed = {p.path for p in parts}
    found = (f for d in works_dir.glob("updated_date=*") if d.is_dir() for f in d.iterdir() if f.is_file())
    return tuple(sorted(f for f in found if f not in listed))


def _merged_id_files(root: Path) -> tuple[tuple[date, Path], ...]:
    by_date: dict[date, Path] = {}
    for base in ("data", "legacy-data", "legacy-data/data", "data/jsonl"):
        folder = root / base / "merged_ids" / "works"
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            match = _MERGED_FILE.match(path.name)
            if match and path.is_file():
                by_date.setdefault(date.fromisoformat(match.group(1)), path)  # first location wins
    return tuple(sorted(by_date.items()))


def open_snapshot(root: Path | str) -> Snapshot:
    """Find the layout under `root` (the local copy of s3://openalex) and check it against its manifest."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise _fail("snapshot folder is missing", str(root))
    jsonl_dir, parquet_dir = root / "data/jsonl/works", root / "data/parquet/works"
    jsonl_manifest, parquet_manifest = root / "data/jsonl/manifest.json", root / "data/parquet/manifest.json"
    layout: str
    if jsonl_dir.is_dir() or jsonl_manifest.exists() or parquet_dir.is_dir():
        jsonl_parts: list[Part] | None = None
        if jsonl_dir.is_dir() or jsonl_manifest.exists():
            _check_partition_dirs(root, jsonl_dir)
            jsonl_parts = _manifest_parts(root, jsonl_manifest, jsonl_dir)
        use_parquet = parquet_dir.is_dir() and (parquet_manifest.exists() or jsonl_parts is None)
        if use_parquet:
            _check_partition_dirs(root, parquet_dir)
            parquet_parts = _manifest_parts(root, parquet_manifest, parquet_dir)
            wanted = {p.updated_date for p in jsonl_parts or ()}
            use_parquet = wanted <= {p.updated_date for p in parquet_parts}
        if use_parquet:
            layout, works_dir, manifest, parts = "parquet", parquet_dir, parquet_manifest, parquet_parts
        else:
            assert jsonl_parts is not None
            layout, works_dir, manifest, parts = "jsonl", jsonl_dir, jsonl_manifest, jsonl_parts
    else:
        candidates = [root / base / "works" for base in ("data", "legacy-data", "legacy-data/data")]
        works_dir = next((c for c in candidates if c.is_dir()), None)  # type: ignore[assignment]
        if works_dir is None:
            raise _fail(
                "no works folder in the snapshot",
                str(root),
                "expected data/jsonl/works, data/parquet/works, data/works or legacy-data/works",
            )
        _check_partition_dirs(root, works_dir)
        layout, manifest = "legacy", works_dir / "manifest"
        parts = _manifest_parts(root, manifest, works_dir)
    return Snapshot(
        root=root,
        layout=layout,
        release=max(p.updated_date for p in parts).isoformat(),
        parts=tuple(parts),
        merged_ids=_merged_id_files(root),
        manifest=manifest,
        unlisted=_unlisted(works_dir, parts),
    )


# --- extraction -----------------------------------------------------------------------------------


def _gzip_fault(path: Path) -> str | None:
    """Why a gzip file does not decompress whole with valid checksums, or None if it does.

    DuckDB's reader does not check the CRC, so a damaged member can decode to garbage lines; this is
    the check run when a part looks wrong (quarantined lines, a record count off the manifest)."""
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 24):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        return str(exc) or type(exc).__name__
    return None


def _read_failure(
    conn: duckdb.DuckDBPyConnection, snapshot: Snapshot, parts: Sequence[Part], exc: Exception
) -> SourceError:
    """The SourceError for a failed read, naming the part that failed (DuckDB's gzip errors name it;
    otherwise each part is read alone until one fails)."""
    message = str(exc)
    culprit = next((p for p in parts if str(p.path) in message), None)
    if culprit is None and len(parts) > 1:
        for part in parts:
            try:
                conn.sql(PROBE[snapshot.layout], params={"files": [str(part.path)]}).fetchall()
            except duckdb.Error as probe:
                if "transaction is aborted" not in str(probe).lower():  # inside the caller's failed transaction
                    culprit = part
                break
    elif culprit is None:
        culprit = parts[0]
    record = snapshot.relative(culprit.path) if culprit else ", ".join(snapshot.relative(p.path) for p in parts)
    lowered = message.lower()
    if snapshot.layout != "parquet" and any(w in lowered for w in ("gzip", "zlib", "inflate", "deflate")):
        return _fail("corrupt gzip", record, message.splitlines()[0])
    return _fail("part could not be read", record, message.splitlines()[0])


def release_staged(conn: duckdb.DuckDBPyConnection) -> None:
    """Free the staged rows; in a transaction the caller must roll back, leave it to the rollback."""
    with contextlib.suppress(duckdb.Error):
        conn.execute("DROP TABLE IF EXISTS snapshot_staged")


def _parts_to_read(snapshot: Snapshot, partition: date, parts: Sequence[Part] | None) -> Sequence[Part]:
    """The parts of `partition` to read: all of them, or `parts` if each is one of them."""
    in_partition = snapshot.parts_of(partition)
    if not in_partition:
        raise _fail("partition is not in the snapshot", f"updated_date={partition.isoformat()}", snapshot.release)
    if parts is None:
        return in_partition
    if not parts or any(p not in in_partition for p in parts):
        raise _fail(
            "parts are not all in the partition",
            ", ".join(snapshot.relative(p.path) for p in parts) or "(none)",
            f"updated_date={partition.isoformat()}",
        )
    return parts


def _check_parts(
    conn: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    parts: Sequence[Part],
    stats: dict[str, tuple[int, int, int]],
) -> list[QuarantineSample]:
    """Fail a staged part that is corrupt or off its manifest record count; samples of its lines that are
    not JSON work objects. `stats`: part file -> (records, bad lines, works without authorships)."""
    samples: list[QuarantineSample] = []
    for part in parts:
        records, bad_lines, _ = stats.get(str(part.path), (0, 0, 0))
        name = snapshot.relative(part.path)
        suspicious = bad_lines > 0 or (part.record_count is not None and records != part.record_count)
        if suspicious and snapshot.layout != "parquet" and (fault := _gzip_fault(part.path)):
            raise _fail("corrupt gzip", name, fault)
        if part.record_count is not None and records != part.record_count:
            raise _fail(
                "part record count differs from the manifest",
                name,
                f"manifest record_count {part.record_count}, records read {records}",
            )
        if bad_lines and len(samples) < SAMPLE_LIMIT:
            numbers = conn.sql(
                "SELECT record_no FROM snapshot_bad_line_numbers($file, $n)",
                params={"file": str(part.path), "n": SAMPLE_LIMIT - len(samples)},
            ).fetchall()
            samples += [QuarantineSample("not_json", name, line=n) for (n,) in numbers]
    return samples


def stage_partition(
    conn: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    partition: date,
    parts: Sequence[Part] | None = None,
) -> PartitionStats:
    """Read one updated_date partition (or only `parts` of it) into the temp table `snapshot_staged`
    of `conn`, checked and counted; `STAGED_ROWS_SQL` then gives the contract rows and
    `release_staged(conn)` frees them. The rows stay in DuckDB, under its memory limit.

    Quarantined, not fatal: a line that is not a JSON work object; a repeated work id keeps one
    record. Reported and kept: a work without authorships (an unlocated paper, as in the API path).
    Fatal (SourceError naming the part): a gzip stream that does not decompress (truncated, not
    gzip, bad checksum), a part whose record count differs from the manifest. DuckDB's thread count
    and memory limit are the caller's connection settings.

    `parts`: read only these parts of the partition (a batch, for a partition too large to read at
    once); duplicates are then found within the batch only, and the load keyed by work id takes the
    rest (latest.sql)."""
    parts = _parts_to_read(snapshot, partition, parts)
    files = [str(p.path) for p in parts]
    conn.execute(package_sql(__package__, SQL_FILE))
    try:
        try:
            conn.execute(STAGE[snapshot.layout], {"files": files})
        except duckdb.Error as exc:
            raise _read_failure(conn, snapshot, parts, exc) from exc
        stats = {
            row[0]: row[1:]
            for row in conn.sql(
                "SELECT part_file, records, bad_lines, no_authorships FROM snapshot_part_stats()"
            ).fetchall()
        }
        samples = _check_parts(conn, snapshot, parts, stats)
        samples += [
            QuarantineSample("no_authorships", snapshot.relative(Path(f)), work_id=w)
            for f, w in conn.sql(
                "SELECT * FROM snapshot_no_authorship_samples($n)", params={"n": SAMPLE_LIMIT}
            ).fetchall()
        ]
        [(duplicates,)] = conn.sql("SELECT duplicates FROM snapshot_duplicate_count()").fetchall()
        for name, value in (
            ("snapshot_partition", partition),
            ("snapshot_release", snapshot.release),
            ("snapshot_root_prefix", f"{snapshot.root}/"),
        ):
            conn.execute(f"SET VARIABLE {name} = ?", [value])  # read by STAGED_ROWS_SQL
    except BaseException:
        release_staged(conn)
        raise
    return PartitionStats(
        partition=partition,
        parts_read=len(parts),
        records_read=sum(s[0] for s in stats.values()),
        quarantined_lines=sum(s[1] for s in stats.values()),
        quarantined_no_authorships=sum(s[2] for s in stats.values()),
        duplicates=int(duplicates),
        samples=tuple(samples),
    )


def extract_partition(
    conn: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    partition: date,
    parts: Sequence[Part] | None = None,
) -> PartitionExtract:
    """`stage_partition`, with the contract rows fetched as a polars frame (the staged rows freed)."""
    stats = stage_partition(conn, snapshot, partition, parts)
    try:
        rows = conn.sql(STAGED_ROWS_SQL).pl()
    finally:
        release_staged(conn)
    return PartitionExtract(**vars(stats), rows=rows)


def part_batches(parts: Sequence[Part], max_records: int) -> list[list[Part]]:
    """Consecutive parts grouped so that each group holds at most `max_records` records by the
    manifest's record_count (a larger part, or one without a count, is a group of its own)."""
    batches: list[list[Part]] = []
    room = 0  # records the last group can still take
    for part in parts:
        count = part.record_count
        if batches and count is not None and count <= room:
            batches[-1].append(part)
            room -= count
        else:
            batches.append([part])
            room = max_records - count if count is not None else 0
    return batches


# --- merged ids -----------------------------------------------------------------------------------


def merged_ids(conn: duckdb.DuckDBPyConnection, snapshot: Snapshot, after: date | None = None) -> pl.DataFrame:
    """Rows (merge_date, id, merge_into_id) of the merged_ids files dated strictly after `after`.

    Ids come in the API's URL form. Whether an id is known is the caller's business."""
    files = [path for day, path in snapshot.merged_ids if after is None or day > after]
    if not files:
        return pl.DataFrame(schema=MERGED_IDS_SCHEMA)
    for path in files:
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
                header = tuple(h.strip() for h in fh.readline().strip().split(","))
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            raise _fail("merged_ids file cannot be read", snapshot.relative(path), str(exc)) from None
        if header != MERGED_IDS_HEADER:
            raise _fail(
                "merged_ids file has an unexpected header", snapshot.relative(path), f"header {','.join(header)!r}"
            )
    conn.execute(package_sql(__package__, SQL_FILE))
    try:
        return conn.sql("SELECT * FROM snapshot_merged_ids($files)", params={"files": [str(f) for f in files]}).pl()
    except duckdb.Error as exc:
        raise _fail("merged_ids file cannot be read", ", ".join(snapshot.relative(f) for f in files), str(exc)) from exc
    finally:
        release_staged(conn)
