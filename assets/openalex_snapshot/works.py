"""raw.openalex_snapshot_works and raw.openalex_snapshot_facts: the latest version of every extracted work (its
record and its per-work facts), merged ids removed, loaded into the warehouse in one set-based step over the
partition files (latest.sql, latest_facts.sql).

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from assets.common import SAME_MODE, check_spec, gated_tables, not_loaded, spec
from assets.openalex_snapshot import suites
from assets.openalex_snapshot.facts import backfill_facts
from assets.openalex_snapshot.parts import PARTS, snapshot_of
from assets.openalex_snapshot.reader import merged_ids
from assets.openalex_snapshot.store import extracted_files, fact_files, partitions_without_facts
from assets.openalex_snapshot.table import OPENALEX_SNAPSHOT_FACTS, OPENALEX_SNAPSHOT_WORKS
from pipeline.dictionary import comments
from pipeline.settings import RunSettings
from pipeline.validation import Suite
from pipeline.warehouse import TableLoad, Warehouse, connect, init_schema, package_sql

WORKS = OPENALEX_SNAPSHOT_WORKS.name
FACTS = OPENALEX_SNAPSHOT_FACTS.name


@dg.multi_asset(
    specs=[spec(t, "snapshot", deps=(PARTS,), kinds=("duckdb", "parquet")) for t in (WORKS, FACTS)],
    check_specs=[check_spec(t) for t in (WORKS, FACTS)],
    pool="duckdb",
)
def openalex_snapshot_works(
    context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings
) -> Iterator:
    """The latest version of every extracted work and of its facts, merged ids removed, into the warehouse (one
    set-based step over the partition files). Outside snapshot mode there is nothing to load."""
    settings = run_settings.get()
    if settings.mode != "snapshot":
        note = f"COLLAB_MODE={settings.mode}: works come from raw.openalex_works; nothing loaded here"
        yield from not_loaded([WORKS, FACTS], settings.mode, note)
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
        backfilled = _backfill(context, scratch, settings.snapshot_store)
        facts = fact_files(settings.snapshot_store)
        scratch.execute("SET VARIABLE snapshot_fact_files = ?", [[str(f) for f in facts]])
        superseded = scratch.sql(package_sql(__package__, "superseded.sql")).pl()
    yield from gated_tables(
        context,
        warehouse,
        [
            _latest_load(WORKS, "latest.sql", suites.raw_openalex_snapshot_works, settings.rowcount_tolerance),
            _latest_load(FACTS, "latest_facts.sql", suites.raw_openalex_snapshot_facts, settings.rowcount_tolerance),
        ],
        settings=settings,
        source=f"openalex snapshot {snapshot.release}",
        frames={"incoming_merged_ids": merged.select("id"), "superseded_versions": superseded},
        extra={"partitions_facts_backfilled": dg.MetadataValue.int(backfilled)},
        after=lambda conn, _settings: _merge_report(conn, merged),
        snapshot_files=[str(f) for f in files],
        snapshot_fact_files=[str(f) for f in facts],
    )


def _latest_load(
    table: str, sql_file: str, suite: Callable[[int, float], Sequence[Suite]], tolerance: float
) -> TableLoad:
    """The whole-table load of one of the two latest-version tables. A run whose partitions and merged ids did not
    change keeps the table (and its load_id) as it is, so the publication does not export it again
    (pipeline/lake.py)."""
    return TableLoad(
        table,
        package_sql(__package__, sql_file),
        lambda previous: suite(previous, tolerance),
        compare_scope=SAME_MODE,
        keep_unless_changed=("load_id",),
        comments=comments(table),
    )


def _backfill(context: dg.AssetExecutionContext, conn: duckdb.DuckDBPyConnection, store: Path) -> int:
    """Facts for the partitions extracted before the partition runs wrote them (an upgraded store), computed
    once from their records files; returns how many partitions needed them."""
    partitions = partitions_without_facts(store)
    if partitions:
        init_schema(conn)  # the facts macros
        for partition in partitions:
            works = backfill_facts(conn, partition)
            context.log.info(f"{partition.name}: facts of {works} works written from its records files (upgrade)")
    return len(partitions)


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
