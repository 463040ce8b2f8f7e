"""raw.t100_files and raw.t100_segments: the BTS T-100 segment downloads dropped into a folder, each file
ingested once."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.common import ExtractContext, Extracted, RawTableLoad, raw_asset
from assets.t100 import suites
from assets.t100.reader import T100File, read_t100
from assets.t100.table import T100_FILES, T100_SEGMENTS
from pipeline.warehouse import package_sql

GROUP = "flights"
# A load replaces the rows of the files it ingests (by name: a changed file replaces its earlier rows).
FILES_SCOPE = "source_mode = getvariable('source_mode') AND list_contains(getvariable('t100_files'), file_name)"
NO_NEW_SEGMENTS = "SELECT * FROM raw.t100_segments WHERE false"


def t100_frames(files: list[T100File], now: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The files' index and their segment rows, typed as raw.t100_files and raw.t100_segments declare them."""
    segments = [read_t100(f) for f in files]
    index = pl.DataFrame(
        {
            "file_name": [f.path.name for f in files],
            "kind": [f.kind for f in files],
            "file_sha256": [f.sha256 for f in files],
            "size_bytes": [f.size for f in files],
            "rows_read": [s.height for s in segments],
            "request": [f"file:{f.path}" for f in files],
            "retrieved_at": [now] * len(files),
        },
        schema=T100_FILES.incoming(),
    )
    if not segments:
        return index, pl.DataFrame()
    rows = pl.concat(segments, how="diagonal_relaxed").with_columns(pl.lit(now).alias("retrieved_at"))
    schema = T100_SEGMENTS.incoming()
    return index, rows.select(pl.col(name).cast(dtype) for name, dtype in schema.items())


def years_outside(rows: pl.DataFrame, years: tuple[int, int]) -> list[int]:
    """Years of the incoming segment rows that the run's COLLAB_YEARS leave out of core and marts."""
    if rows.is_empty():
        return []
    found = rows.get_column("year").unique().sort()
    return found.filter(~found.is_between(*years)).to_list()


def _new_files(run: ExtractContext) -> tuple[list[T100File], list[T100File]]:
    """(every file in the run's folder, those not loaded yet: a new sha256)."""
    files = run.source.files()
    if files is None:
        # Live mode without T100_DIR: nothing dropped yet; the rows already loaded stay.
        run.context.log.warning(f"T-100: no folder {run.source.directory} (set T100_DIR); no files ingested")
        files = []
    with run.warehouse.connection(run.settings) as conn:
        loaded = conn.execute("SELECT file_sha256 FROM raw.t100_files WHERE source_mode = ?", [run.settings.mode])
        known = {r[0] for r in loaded.fetchall()}
    return files, [f for f in files if f.sha256 not in known]


def extract(run: ExtractContext) -> Extracted:
    settings, directory = run.settings, run.source.directory
    files, new = _new_files(run)
    run.context.log.info(f"T-100: {len(files)} file(s) in {directory}, {len(new)} new or changed")
    index, rows = t100_frames(new, datetime.now(UTC))
    outside = years_outside(rows, settings.years)
    if outside:
        run.context.log.warning(
            f"T-100: rows of years {outside} are loaded into raw.t100_segments but are outside "
            f"COLLAB_YEARS={settings.years[0]}-{settings.years[1]}, so no core or mart table counts them"
        )
    return Extracted(
        frames={"incoming_t100_files": index, **({"incoming_t100_segments": rows} if new else {})},
        metadata={
            "directory": dg.MetadataValue.path(str(directory)),
            "files_seen": dg.MetadataValue.int(len(files)),
            "files_ingested": dg.MetadataValue.json([f.path.name for f in new]),
            "years_outside_collab_years": dg.MetadataValue.json(outside),
        },
        variables={"t100_files": [f.path.name for f in new] or [""]},
        source_label=f"bts_t100 files ({settings.mode}: {directory})",
        # No new file: nothing to read, and the segment rows held stay as they are.
        select_sql={} if new else {T100_SEGMENTS.name: NO_NEW_SEGMENTS},
        details={"min_rows": 1 if new else 0},
    )


t100_raw = raw_asset(
    "t100_raw",
    [
        RawTableLoad(
            T100_FILES,
            package_sql(__package__, "t100_files.sql"),
            lambda previous, settings, _: suites.raw_t100_files(previous),
            scope=FILES_SCOPE,
        ),
        RawTableLoad(
            T100_SEGMENTS,
            package_sql(__package__, "t100_segments.sql"),
            lambda previous, settings, extracted: suites.raw_t100_segments(
                previous, settings.rowcount_tolerance, extracted.details["min_rows"]
            ),
            scope=FILES_SCOPE,
        ),
    ],
    extract,
    source="bts_t100",
    resource_key="t100",
    group=GROUP,
    # ref.airports: the segment suite warns about airport codes it does not list.
    deps=("ref.airports",),
    kinds=("duckdb", "csv"),
    doc="BTS T-100 international and domestic segment files, dropped into T100_DIR (the bundled sample in sample "
    "mode). Each file is ingested once: a file whose sha256 is already loaded is skipped; a file with a known "
    "name and a new checksum replaces that file's rows.",
)
