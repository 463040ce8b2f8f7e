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
cluster executor later). The aggregation into the warehouse is one set-based step over those files (works.py).

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import shutil
from collections.abc import Generator, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from assets.common import OWNERS, check_result, check_spec, gate, key
from assets.openalex_snapshot import suites
from assets.openalex_snapshot.facts import write_facts
from assets.openalex_snapshot.reader import (
    STAGED_ROWS_SQL,
    Part,
    PartitionStats,
    Snapshot,
    open_snapshot,
    part_batches,
    release_staged,
    stage_partition,
)
from assets.openalex_snapshot.store import FACTS, partition_dir, start_building, swap_in
from pipeline.dictionary import comments
from pipeline.settings import RunSettings, Settings
from pipeline.warehouse import LoadOutcome, TableLoad, connect, init_schema, set_variables

SNAPSHOT_PARTITIONS = dg.DynamicPartitionsDefinition(name="openalex_snapshot_updated_date")
PARTS = "raw.openalex_snapshot_parts"
# One batch's rows with their provenance (variables set by the asset and by stage_partition).
PARTS_SQL = (
    "SELECT *, getvariable('snapshot_source') AS source, 'snapshot' AS source_mode, "
    "getvariable('retrieved_at')::TIMESTAMPTZ AS retrieved_at, getvariable('load_id') AS load_id "
    f"FROM ({STAGED_ROWS_SQL})"
)
# What a partition's batches yield (the check results of a failed gate) and return (what was read and validated).
BatchRun = Generator[dg.AssetCheckResult, None, tuple[PartitionStats, list[LoadOutcome]]]


def snapshot_of(settings: Settings) -> Snapshot:
    """The run's checked snapshot copy (OPENALEX_SNAPSHOT_DIR)."""
    if settings.snapshot_dir is None:
        raise dg.Failure("COLLAB_MODE=snapshot needs OPENALEX_SNAPSHOT_DIR (the local copy of s3://openalex)")
    return open_snapshot(settings.snapshot_dir)


@dg.asset(
    key=key(PARTS),
    partitions_def=SNAPSHOT_PARTITIONS,
    group_name="snapshot",
    description="One updated_date partition of the OpenAlex snapshot, projected to the fields the indices need "
    "and validated, as Parquet files under COLLAB_SNAPSHOT_STORE, with each work's facts beside them (no "
    "warehouse write: partitions run in parallel).",
    owners=OWNERS,
    kinds={"duckdb", "parquet"},
    check_specs=[check_spec(PARTS)],
)
def openalex_snapshot_parts(context: dg.AssetExecutionContext, run_settings: RunSettings) -> Iterator:
    """Read the partition in batches of whole parts (COLLAB_SNAPSHOT_BATCH_RECORDS records), each gated by
    the great-expectations suite and written as one Parquet file, so memory is bounded by the batch, not by
    the partition; the partition's folder is swapped in only when every batch passed."""
    settings = run_settings.get()
    snapshot = snapshot_of(settings)
    partition = context.partition_key
    day = date.fromisoformat(partition)
    batches = part_batches(snapshot.parts_of(day), settings.snapshot_batch_records) or [None]
    target = partition_dir(settings.snapshot_store, partition)
    building = start_building(target)
    source = f"openalex snapshot {snapshot.release} ({partition})"
    try:
        stats, outcomes = yield from _write_batches(
            context.run.run_id, settings, snapshot, day, batches, building, source
        )
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)  # the previous extraction of the partition stays as it was
        raise
    swap_in(building, target)
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


def _write_batches(
    run_id: str,
    settings: Settings,
    snapshot: Snapshot,
    day: date,
    batches: Sequence[list[Part] | None],
    building: Path,
    source: str,
) -> BatchRun:
    """Stage, gate and write each batch (None: the whole partition) as one Parquet file in `building`, and its
    per-work facts as one in `building/facts`; a failed gate yields its check results and raises. Returns the
    partition's read stats and gate outcomes."""
    load = TableLoad(PARTS, PARTS_SQL, lambda previous: suites.raw_openalex_snapshot_parts(), comments=comments(PARTS))
    stats: PartitionStats | None = None
    outcomes: list[LoadOutcome] = []
    facts = building / FACTS
    facts.mkdir()
    with connect(":memory:") as conn:
        init_schema(conn)
        set_variables(
            conn,
            settings,
            load_id=run_id,
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
            # the same rows' per-work facts, from the table already in memory (the gzip is read once)
            write_facts(conn, PARTS, facts / f"facts_{number:04d}.parquet")
            conn.execute(f"DROP TABLE {PARTS}")  # frees the batch before the next one is read
    assert stats is not None
    return stats, outcomes
