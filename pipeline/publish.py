"""Write-audit-publish for the DuckDB warehouse: runs write a build copy, readers see a published copy.

DuckDB allows one writing process per file and a writer excludes readers from other processes, so
the daily run never opens the file analysts read. Every asset writes (and gates) its tables in
`build/<name>`; the last step of a run records a manifest of table checksums in the build, exports
the large tables that changed as immutable Parquet (pipeline.lake), writes a NEW small DuckDB file
beside the published one (every other table copied, the large ones as views over their Parquet, the
macros, comments and manifest) and renames it over the published one. The whole build is never
copied: a run costs the small tables plus the large tables that changed. A rename is atomic on
POSIX: a reader opening the path gets the whole old file or the whole new one, and a reader that
already has the old one open keeps reading it (its Parquet is kept for KEEP_PUBLICATIONS
publications). A run that fails, is killed or runs out of disk before that rename leaves the
published file byte for byte as it was, and its Parquet untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline import lake
from pipeline.catalog import qualified, quote_literal, quote_name

# What consumers read; the meta schema describes the publication itself.
PUBLISHED_SCHEMAS = ("raw", "ref", "core", "mart")
META_TABLES = ("meta.publication", "meta.table_checksums", "meta.schema_migrations")
STAGING_ALIAS = "publication_staging"


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
    bytes: int  # of the published DuckDB file
    lake_bytes: int = 0  # of the Parquet files it references
    exported: tuple[str, ...] = ()  # large tables written to Parquet by this publication (the others reused)


@dataclass(frozen=True)
class Swapped:
    bytes: int
    files: tuple[lake.LakeFile, ...]
    removed: tuple[Path, ...]  # Parquet files no publication kept refers to any more


def relations(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """schema.name of every table and view of the published schemas (a large table is a view in a published
    file and a table in a build), in order."""
    marks = ", ".join("?" * len(PUBLISHED_SCHEMAS))
    return [
        r[0]
        for r in conn.execute(
            f"SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = current_database() "
            f"AND NOT temporary AND schema_name IN ({marks}) UNION ALL "
            f"SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = current_database() "
            f"AND NOT internal AND NOT temporary AND schema_name IN ({marks}) ORDER BY 1",
            [*PUBLISHED_SCHEMAS, *PUBLISHED_SCHEMAS],
        ).fetchall()
    ]


def table_checksums(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """(schema.table, rows, order-independent hash of every row) for the published schemas: the same for a
    build and the file published from it (where the large tables are views over Parquet)."""
    tables = relations(conn)
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


def _sums(conn: duckdb.DuckDBPyConnection, run_id: str, tables: list[str]) -> dict[str, tuple[int, int]]:
    """Rows and checksum of each large table: the manifest's when this run recorded one, else computed."""
    recorded = (
        conn.execute(
            "SELECT table_name, row_count, checksum FROM meta.table_checksums WHERE run_id = ?", [run_id]
        ).fetchall()
        if lake.base_tables(conn, ["meta.table_checksums"])
        else []
    )
    sums = {t: (n, c) for t, n, c in recorded}
    for table in (t for t in tables if t not in sums):
        [(n, c)] = conn.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0)::HUGEINT FROM {table} AS t").fetchall()
        sums[table] = (n, c)
    return sums


def _write_publication(
    conn: duckdb.DuckDBPyConnection, staging: Path, files: list[lake.LakeFile], history: list[tuple], run_id: str
) -> None:
    """The new published file at `staging`: the build's schemas, types, macros and views, the rows of every table
    but the large ones, which become views over their Parquet files."""
    build = conn.execute("SELECT current_database()").fetchall()[0][0]
    large = {f.table for f in files} | {lake.LAKE_FILES}
    conn.execute(f"ATTACH {quote_literal(staging)} AS {STAGING_ALIAS}")
    try:
        conn.execute(f"COPY FROM DATABASE {quote_name(build)} TO {STAGING_ALIAS} (SCHEMA)")
        conn.execute("BEGIN TRANSACTION")
        for schema, table in conn.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? AND NOT temporary "
            "ORDER BY ALL",
            [build],
        ).fetchall():
            if f"{schema}.{table}" not in large:
                name = qualified(f"{schema}.{table}")
                conn.execute(f"INSERT INTO {STAGING_ALIAS}.{name} SELECT * FROM {quote_name(build)}.{name}")
        for file in files:
            lake.replace_with_view(conn, build, STAGING_ALIAS, file)
        lake.record_files(conn, STAGING_ALIAS, run_id, files, history)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # it failed before the transaction began
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute(f"DETACH {STAGING_ALIAS}")


def swap_in(conn: duckdb.DuckDBPyConnection, build: Path, published: Path, run_id: str) -> Swapped:
    """Publish the build file that `conn` has open (read-write, so no other writer changes it meanwhile): export
    the large tables that changed to Parquet, write the small published file beside `published`, fsync it,
    rename it over `published`, then remove the Parquet no kept publication refers to."""
    # No CHECKPOINT of the build first: the new file is written through this connection, which sees the WAL.
    published.parent.mkdir(parents=True, exist_ok=True)
    folder = lake.lake_dir(published)
    large = lake.base_tables(conn)
    sums = _sums(conn, run_id, large)
    files = [lake.export(conn, table, *sums[table], folder) for table in large]
    kept = lake.history(published)
    staging = published.with_name(f".{published.name}.{run_id}.tmp")
    staging.unlink(missing_ok=True)  # a killed attempt of this same run
    try:
        _write_publication(conn, staging, files, kept, run_id)
        lake.fsync(staging)
        os.replace(staging, published)
    except BaseException:
        staging.unlink(missing_ok=True)
        staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
        raise
    lake.fsync(published.parent)  # the rename itself survives a power cut
    removed = lake.collect_garbage(folder, [f.path for f in files] + [row[3] for row in kept])
    return Swapped(published.stat().st_size, tuple(files), tuple(removed))


def seed_build(build: Path, published: Path) -> None:
    """A missing build file starts as a copy of the published one (first run after an upgrade, or a
    deleted build directory), so a partial run does not publish a warehouse missing tables; the large
    tables, views over Parquet in the published file, become tables again."""
    if build.exists() or not published.exists():
        return
    build.parent.mkdir(parents=True, exist_ok=True)
    staging = build.with_name(f".{build.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(published, staging)
        conn = duckdb.connect(str(staging))
        try:
            lake.materialise(conn)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        os.replace(staging, build)
    except BaseException:
        staging.unlink(missing_ok=True)
        staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
        raise
