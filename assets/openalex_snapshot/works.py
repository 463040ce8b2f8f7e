"""raw.openalex_snapshot_works: the latest version of every extracted work, merged ids removed, loaded into
the warehouse in one set-based step over the partition files (latest.sql).

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl

from assets.common import SAME_MODE, check_spec, gated_tables, not_loaded, spec
from assets.openalex_snapshot import suites
from assets.openalex_snapshot.parts import PARTS, snapshot_of
from assets.openalex_snapshot.reader import merged_ids
from assets.openalex_snapshot.store import extracted_files
from assets.openalex_snapshot.table import OPENALEX_SNAPSHOT_WORKS
from pipeline.dictionary import comments
from pipeline.settings import RunSettings
from pipeline.warehouse import TableLoad, Warehouse, connect, package_sql

WORKS = OPENALEX_SNAPSHOT_WORKS.name


@dg.multi_asset(
    specs=[spec(WORKS, "snapshot", deps=(PARTS,), kinds=("duckdb", "parquet"))],
    check_specs=[check_spec(WORKS)],
    pool="duckdb",
)
def openalex_snapshot_works(
    context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings
) -> Iterator:
    """The latest version of every extracted work, merged ids removed, into the warehouse (one set-based
    step over the partition files). Outside snapshot mode there is nothing to load."""
    settings = run_settings.get()
    if settings.mode != "snapshot":
        note = f"COLLAB_MODE={settings.mode}: works come from raw.openalex_works; nothing loaded here"
        yield from not_loaded([WORKS], settings.mode, note)
        return
    files = extracted_files(settings.snapshot_store)
    if not files:
        raise dg.Failure(
            f"no extracted snapshot partitions under {settings.snapshot_store}: materialise "
            f"{PARTS} (the openalex_snapshot_sensor requests every new updated_date partition)"
        )
    snapshot = snapshot_of(settings)
    with connect(":memory:") as scratch:
        merged = merged_ids(scratch, snapshot, None)
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                WORKS,
                package_sql(__package__, "latest.sql"),
                lambda previous: suites.raw_openalex_snapshot_works(previous, settings.rowcount_tolerance),
                compare_scope=SAME_MODE,
                # a run whose partitions and merged ids did not change keeps the table (and its load_id) as it
                # is, so the publication does not export it again (pipeline/lake.py)
                keep_unless_changed=("load_id",),
                comments=comments(WORKS),
            )
        ],
        settings=settings,
        source=f"openalex snapshot {snapshot.release}",
        frames={"incoming_merged_ids": merged.select("id")},
        after=lambda conn, _settings: _merge_report(conn, merged),
        snapshot_files=[str(f) for f in files],
    )


def _merge_report(conn: duckdb.DuckDBPyConnection, merged: pl.DataFrame) -> dict[str, dg.MetadataValue]:
    """How the latest-version and merged-id rules changed the extracted rows (counted, never silent)."""
    conn.register("merged_report", merged.select("id").to_arrow())
    files, partitions, extracted, moved, unknown = conn.execute(
        "WITH parts AS (SELECT work_id, updated_date FROM read_parquet(getvariable('snapshot_files'))) "
        "SELECT len(getvariable('snapshot_files')), (SELECT count(DISTINCT updated_date) FROM parts), "
        "(SELECT count(*) FROM parts), "
        "(SELECT count(*) FROM (SELECT work_id FROM parts GROUP BY work_id HAVING count(DISTINCT updated_date) > 1)), "
        "(SELECT count(*) FROM merged_report WHERE id NOT IN (SELECT work_id FROM parts))"
    ).fetchall()[0]
    return {
        "files": dg.MetadataValue.int(files),
        "partitions": dg.MetadataValue.int(partitions),
        "extracted_rows": dg.MetadataValue.int(extracted),
        "moved_between_partitions": dg.MetadataValue.int(moved),
        "merged_ids_listed": dg.MetadataValue.int(merged.height),
        "merged_ids_unknown": dg.MetadataValue.int(unknown),
    }
