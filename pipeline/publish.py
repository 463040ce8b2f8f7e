"""Write-audit-publish for the DuckDB warehouse: runs write a build copy, readers see a published copy.

DuckDB allows one writing process per file and a writer excludes readers from other processes, so
the daily run never opens the file analysts read. Every asset writes (and gates) its tables in
`build/<name>`; the last step of a run checkpoints the build file, records a manifest of table
checksums in it, copies it beside the published file and renames it over the published one. A
rename is atomic on POSIX: a reader opening the path gets the whole old file or the whole new one,
and a reader that already has the old one open keeps reading it. A run that fails, is killed or
runs out of disk before that rename leaves the published file byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

# What consumers read; the meta schema describes the publication itself.
PUBLISHED_SCHEMAS = ("raw", "ref", "core", "mart")
META_TABLES = ("meta.publication", "meta.table_checksums", "meta.schema_migrations")


def build_path(published: Path) -> Path:
    """Where runs write: `build/` beside the published file, same name."""
    return published.parent / "build" / published.name


@dataclass(frozen=True)
class Publication:
    run_id: str
    published_at: datetime
    path: Path
    tables: int
    rows: int
    bytes: int


def table_checksums(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """(schema.table, rows, order-independent hash of every row) for the published schemas."""
    tables = [
        f"{schema}.{name}"
        for schema, name in conn.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
            f"({', '.join('?' * len(PUBLISHED_SCHEMAS))}) ORDER BY ALL",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
    ]
    if not tables:
        return []
    union = " UNION ALL ".join(
        f"SELECT '{t}' AS table_name, count(*) AS row_count, coalesce(sum(hash(t)), 0)::HUGEINT AS checksum "
        f"FROM {t} AS t"
        for t in tables
    )
    return conn.execute(f"SELECT * FROM ({union}) ORDER BY table_name").fetchall()


def record_manifest(conn: duckdb.DuckDBPyConnection, run_id: str, mode: str, at: datetime) -> list[tuple]:
    """Append the publication to meta.publication and replace meta.table_checksums with this build's."""
    checksums = table_checksums(conn)
    conn.execute("CREATE SCHEMA IF NOT EXISTS meta")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS meta.publication (run_id VARCHAR, published_at TIMESTAMPTZ, "
        "source_mode VARCHAR, table_count INTEGER, row_count BIGINT)"
    )
    conn.execute(
        "CREATE OR REPLACE TABLE meta.table_checksums (run_id VARCHAR, table_name VARCHAR, row_count BIGINT, "
        "checksum HUGEINT)"
    )
    conn.execute("BEGIN TRANSACTION")
    conn.execute(
        "INSERT INTO meta.publication VALUES (?, ?, ?, ?, ?)",
        [run_id, at, mode, len(checksums), sum(r[1] for r in checksums)],
    )
    conn.executemany("INSERT INTO meta.table_checksums VALUES (?, ?, ?, ?)", [(run_id, *r) for r in checksums])
    conn.execute("COMMIT")
    return checksums


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(conn: duckdb.DuckDBPyConnection, build: Path, published: Path, run_id: str) -> int:
    """Publish the build file that `conn` has open (read-write, so no other writer changes it meanwhile):
    checkpoint, copy beside `published`, fsync, rename over it. Returns the published size in bytes."""
    conn.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.{run_id}.tmp")
    try:
        shutil.copyfile(build, staging)
        _fsync(staging)
        os.replace(staging, published)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    _fsync(published.parent)  # the rename itself survives a power cut
    return published.stat().st_size


def seed_build(build: Path, published: Path) -> None:
    """A missing build file starts as a copy of the published one (first run after an upgrade, or a
    deleted build directory), so a partial run does not publish a warehouse missing tables."""
    if build.exists() or not published.exists():
        return
    build.parent.mkdir(parents=True, exist_ok=True)
    staging = build.with_name(f".{build.name}.{os.getpid()}.tmp")
    shutil.copyfile(published, staging)
    os.replace(staging, build)
