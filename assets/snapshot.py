"""OpenAlex snapshot mode (COLLAB_MODE=snapshot): every country pair from a local copy of the snapshot.

Partitioned by the snapshot's own `updated_date=` partitions (a dynamic partition per date):
- a new release only adds dates, so an incremental run extracts just the new partitions (the sensor adds
  them above the watermark, the newest date already known), and a work that changed moves to a newer
  date, where the latest-version rule of raw.openalex_snapshot_works picks it up exactly once;
- a partition is read in batches of whole parts (COLLAB_SNAPSHOT_BATCH_RECORDS), so memory is bounded by
  the batch, however large the partition.
Publication-year partitions would instead make every step scan every file.

Each partition step reads the gzip JSON with its own in-memory DuckDB and writes one Parquet file per batch: no step
touches the warehouse file, so partitions run in parallel (runs here; the same definitions on a
cluster executor later). The aggregation into the warehouse is one set-based step over those files.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime

import dagster as dg
import duckdb
import polars as pl

from assets.common import OWNERS, SAME_MODE, check_result, check_spec, gate, gated_tables, key, not_loaded, spec
from pipeline import suites
from pipeline.dictionary import comments
from pipeline.openalex.snapshot import (
    STAGED_ROWS_SQL,
    PartitionStats,
    Snapshot,
    merged_ids,
    open_snapshot,
    part_batches,
    release_staged,
    stage_partition,
)
from pipeline.openalex.snapshot_store import extracted_files, partition_dir, start_building, swap_in
from pipeline.settings import Settings, load_settings
from pipeline.warehouse import LoadOutcome, TableLoad, Warehouse, connect, init_schema, set_variables, sql_text

SNAPSHOT_PARTITIONS = dg.DynamicPartitionsDefinition(name="openalex_snapshot_updated_date")
PARTS = "raw.openalex_snapshot_parts"
WORKS = "raw.openalex_snapshot_works"
# One batch's rows with their provenance (variables set by the asset and by stage_partition).
PARTS_SQL = (
    "SELECT *, getvariable('snapshot_source') AS source, 'snapshot' AS source_mode, "
    "getvariable('retrieved_at')::TIMESTAMPTZ AS retrieved_at, getvariable('load_id') AS load_id "
    f"FROM ({STAGED_ROWS_SQL})"
)


def _snapshot(settings: Settings) -> Snapshot:
    if settings.snapshot_dir is None:
        raise dg.Failure("COLLAB_MODE=snapshot needs OPENALEX_SNAPSHOT_DIR (the local copy of s3://openalex)")
    return open_snapshot(settings.snapshot_dir)


@dg.asset(
    key=key(PARTS),
    partitions_def=SNAPSHOT_PARTITIONS,
    group_name="snapshot",
    description="One updated_date partition of the OpenAlex snapshot, projected to the fields the indices need "
    "and validated, as Parquet files under COLLAB_SNAPSHOT_STORE (no warehouse write: partitions run in parallel).",
    owners=OWNERS,
    kinds={"duckdb", "parquet"},
    check_specs=[check_spec(PARTS)],
)
def openalex_snapshot_parts(context: dg.AssetExecutionContext) -> Iterator:
    """Read the partition in batches of whole parts (COLLAB_SNAPSHOT_BATCH_RECORDS records), each gated by
    the great-expectations suite and written as one Parquet file, so memory is bounded by the batch, not by
    the partition; the partition's folder is swapped in only when every batch passed."""
    settings = load_settings()
    snapshot = _snapshot(settings)
    partition = context.partition_key
    day = date.fromisoformat(partition)
    batches = part_batches(snapshot.parts_of(day), settings.snapshot_batch_records) or [None]
    target = partition_dir(settings.snapshot_store, partition)
    building = start_building(target)
    source = f"openalex snapshot {snapshot.release} ({partition})"
    load = TableLoad(PARTS, PARTS_SQL, lambda previous: suites.raw_openalex_snapshot_parts(), comments=comments(PARTS))
    stats: PartitionStats | None = None
    outcomes: list[LoadOutcome] = []
    try:
        with connect(":memory:") as conn:
            init_schema(conn)
            set_variables(
                conn,
                settings,
                load_id=context.run.run_id,
                snapshot_source=f"openalex_snapshot@{snapshot.release}",
                retrieved_at=datetime.now(UTC),
            )
            for number, batch in enumerate(batches):
                read = stage_partition(conn, snapshot, day, batch)  # None: the whole partition (raises if unknown)
                stats = read if stats is None else stats + read
                names = ", ".join(snapshot.relative(p.path) for p in batch or snapshot.parts_of(day))
                try:
                    report = gate(conn, [load], source=f"{source}, parts {names}")
                finally:
                    release_staged(conn)
                if report.failure is not None:
                    yield from report.check_results
                    report.raise_if_failed()
                outcomes += report.outcomes
                conn.execute(
                    f"COPY {PARTS} TO '{building / f'works_{number:04d}.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
                )
                conn.execute(f"DROP TABLE {PARTS}")  # frees the batch before the next one is read
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)  # the previous extraction of the partition stays as it was
        raise
    swap_in(building, target)
    assert stats is not None
    validated = LoadOutcome(PARTS, sum(o.rows for o in outcomes), 0, [r for o in outcomes for r in o.results])
    yield check_result(validated, source)  # one blocking check per materialisation, over every batch
    yield dg.MaterializeResult(
        asset_key=key(PARTS),
        metadata={
            "partition": partition,
            "snapshot_release": snapshot.release,
            "layout": snapshot.layout,
            "rows": dg.MetadataValue.int(validated.rows),
            "parts_read": dg.MetadataValue.int(stats.parts_read),
            "batches": dg.MetadataValue.int(len(batches)),
            "quarantined_lines": dg.MetadataValue.int(stats.quarantined_lines),
            "works_without_authorships": dg.MetadataValue.int(stats.quarantined_no_authorships),  # kept, unlocated
            "duplicates_in_batches": dg.MetadataValue.int(stats.duplicates),
            "quarantine_samples": dg.MetadataValue.json([str(s) for s in stats.samples][:20]),
            "path": dg.MetadataValue.path(str(target)),
        },
    )


@dg.multi_asset(
    specs=[spec(WORKS, "snapshot", deps=(PARTS,), kinds=("duckdb", "parquet"))],
    check_specs=[check_spec(WORKS)],
    pool="duckdb",
)
def openalex_snapshot_works(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """The latest version of every extracted work, merged ids removed, into the warehouse (one set-based
    step over the partition files). Outside snapshot mode there is nothing to load."""
    settings = load_settings()
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
    snapshot = _snapshot(settings)
    with connect(":memory:") as scratch:
        merged = merged_ids(scratch, snapshot, None)
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                WORKS,
                sql_text("raw/openalex_snapshot_latest.sql"),
                lambda previous: suites.raw_openalex_snapshot_works(previous, settings.rowcount_tolerance),
                compare_scope=SAME_MODE,
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


@dg.sensor(
    name="openalex_snapshot_sensor",
    minimum_interval_seconds=3600,
    asset_selection=[key(PARTS)],
    description="COLLAB_MODE=snapshot: adds every updated_date partition of OPENALEX_SNAPSHOT_DIR newer than the "
    "watermark (the newest partition already known) and requests its extraction.",
)
def openalex_snapshot_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = load_settings()
    if settings.mode != "snapshot":
        return dg.SkipReason(f"COLLAB_MODE={settings.mode}: the snapshot is not used")
    new = new_partitions(context.instance, settings)
    if not new:
        return dg.SkipReason("no updated_date partition newer than the watermark")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=p, asset_selection=[key(PARTS)]) for p in new],
        dynamic_partitions_requests=[SNAPSHOT_PARTITIONS.build_add_request(new)],
    )


def new_partitions(instance: dg.DagsterInstance, settings: Settings) -> list[str]:
    """updated_date partitions of the snapshot copy newer than the watermark (the newest one known)."""
    known = instance.get_dynamic_partitions(SNAPSHOT_PARTITIONS.name)
    watermark = max((date.fromisoformat(p) for p in known), default=None)
    return [p.isoformat() for p in _snapshot(settings).partitions(after=watermark)]
