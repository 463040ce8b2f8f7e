"""Per-work facts of extracted snapshot records (warehouse/macros/facts.sql, docs/scale.md#per-work-facts):
written by each partition run beside its records, in the same DuckDB pass, so the counts never have to unnest
an authorship again; and, once, for partitions a run extracted before the facts existed (an upgrade)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from assets.openalex_snapshot.store import FACTS

# work_facts takes a relation by name; the records may be an expression (read_parquet of a store file).
_INPUT_VIEW = "snapshot_fact_input"


def write_facts(conn: duckdb.DuckDBPyConnection, records: str, path: Path) -> int:
    """COPY the per-work facts of the records in relation `records` (the columns of raw.openalex_snapshot_works;
    work_facts leaves out the authors and derives K(p), and a part extracted before a column was projected simply
    lacks it) to the Parquet file `path`; returns the number of works."""
    conn.execute(f"CREATE OR REPLACE TEMP VIEW {_INPUT_VIEW} AS SELECT * FROM {records}")
    try:
        [(rows,)] = conn.execute(
            f"COPY (SELECT * FROM work_facts('{_INPUT_VIEW}')) TO '{path}' (FORMAT parquet, COMPRESSION zstd)"
        ).fetchall()
    finally:
        conn.execute(f"DROP VIEW IF EXISTS {_INPUT_VIEW}")
    return int(rows)


def backfill_facts(conn: duckdb.DuckDBPyConnection, partition: Path) -> int:
    """Write the facts of a partition extracted before the partition runs wrote them, from its records files
    (into a temporary folder renamed into place, so a failure leaves the partition as it was)."""
    building = partition / f"{FACTS}.partial"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    records = sorted(partition.glob("*.parquet"))
    written = 0
    for number, file in enumerate(records):
        written += write_facts(
            conn, f"read_parquet('{file}', union_by_name = true)", building / f"facts_{number:04d}.parquet"
        )
    os.replace(building, partition / FACTS)
    return written
