"""The large tables of a publication as immutable Parquet files, referenced by views of the published DuckDB file.

At snapshot scale the per-work tables (LAKE_TABLES) are almost all of the warehouse and change only when a release
lands, so a publication does not copy them into the published file: each is exported once to
`<published stem>.lake/<schema>.<table>/<content hash>.parquet` beside it and the published file holds a view over
that file (pipeline.publish writes the file). The name is a hash of the table's rows, checksum (the manifest's) and
column types, so a table unchanged since an earlier publication is already there and costs nothing; a file, once
renamed into place, is never written again. `meta.lake_files` in each published file lists the files of the last
KEEP_PUBLICATIONS publications, so a reader holding an earlier file still finds its Parquet; every other file in
the folder is removed after the swap (collect_garbage).

Plain Parquet and views, not DuckLake or Delta: DuckDB reads Parquet with no extension (it cannot download one
here, and DuckLake's wheels pin another DuckDB), and the publish step is the only writer, so a catalog adds nothing
the atomic rename of a small file does not already give (docs/scale.md#publication-without-copying).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.catalog import (
    comment_on,
    qualified,
    quote_literal,
    quote_name,
    relation_comments,
    table_columns,
    table_exists,
)

# The tables that are large at snapshot scale (per work, per authorship or per joint record): published as
# Parquet. Every other table is small (per country, pair or year) and is copied into the published file.
LAKE_TABLES: tuple[str, ...] = (
    "raw.openalex_snapshot_works",
    "raw.openalex_snapshot_facts",
    "raw.openalex_works",
    "core.work_records",
    "core.work_facts",
    "core.authorship_affiliations",
    "core.work_countries",
    "core.work_country_shares",
    "core.works",
    "core.paper_set_works",
    "core.pair_joint_records",
)
# Publications whose Parquet stays readable: the new one and the two before it.
KEEP_PUBLICATIONS = 3
LAKE_FILES = "meta.lake_files"
LAKE_FILES_DDL = (
    f"CREATE OR REPLACE TABLE {{database}}.{LAKE_FILES} (run_id VARCHAR NOT NULL, published_at TIMESTAMPTZ NOT NULL, "
    "table_name VARCHAR NOT NULL, file VARCHAR NOT NULL, row_count BIGINT NOT NULL, checksum HUGEINT NOT NULL, "
    "bytes BIGINT NOT NULL, ddl VARCHAR NOT NULL)"
)


class LakeError(Exception):
    """A table cannot be published as Parquet exactly as it stands; nothing was published."""


@dataclass(frozen=True)
class LakeFile:
    table: str
    path: Path
    rows: int
    checksum: int
    bytes: int
    ddl: str  # the table's CREATE TABLE, to turn the view back into a table (seed_build)
    exported: bool  # written by this publication (False: unchanged since an earlier one, reused)


def lake_dir(published: Path) -> Path:
    return published.parent / f"{published.stem}.lake"


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def base_tables(conn: duckdb.DuckDBPyConnection, wanted: Iterable[str] = LAKE_TABLES) -> list[str]:
    """The tables of `wanted` that are stored tables (not views) in the connection's database."""
    present = {
        f"{s}.{t}"
        for s, t in conn.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND NOT temporary"
        ).fetchall()
    }
    return [t for t in wanted if t in present]


def scan_sql(path: Path | str, cols: Sequence[tuple[str, str]]) -> str:
    """The Parquet file as the table it was written from: each column cast back to its DuckDB type (Parquet has
    no ENUM or JSON of its own, for instance)."""
    select = ", ".join(f"{quote_name(n)}::{t} AS {quote_name(n)}" for n, t in cols)
    return f"SELECT {select} FROM read_parquet({quote_literal(path)})"


def _file_name(rows: int, checksum: int, cols: Sequence[tuple[str, str]]) -> str:
    return hashlib.sha256(repr((rows, checksum, list(cols))).encode()).hexdigest()[:40] + ".parquet"


def export(conn: duckdb.DuckDBPyConnection, table: str, rows: int, checksum: int, folder: Path) -> LakeFile:
    """The table's Parquet file in `folder`, written (to a temporary name, read back and checked against the
    manifest's rows and checksum, fsynced, renamed) only if no earlier publication wrote the same content."""
    cols = table_columns(conn, table)
    [(ddl,)] = conn.execute(
        "SELECT sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ?",
        table.split("."),
    ).fetchall()
    target = folder / table / _file_name(rows, checksum, cols)
    if target.exists():
        return LakeFile(table, target, rows, checksum, target.stat().st_size, ddl, exported=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"  # the folder is data, never source (it lives beside the published file)
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        conn.execute(
            f"COPY (SELECT * FROM {qualified(table)}) TO {quote_literal(staging)} (FORMAT parquet, COMPRESSION zstd)"
        )
        back = conn.execute(
            f"SELECT count(*), coalesce(sum(hash(t)), 0)::HUGEINT FROM ({scan_sql(staging, cols)}) AS t"
        ).fetchall()[0]
        if back != (rows, checksum):
            types = ", ".join(f"{n} {t}" for n, t in cols)
            raise LakeError(
                f"{table}: its Parquet copy reads back as {back[0]} rows with checksum {back[1]}, not the manifest's "
                f"{rows} rows with checksum {checksum} (rule: a lake table must survive Parquet exactly; a column "
                f"type Parquet stores lossily, such as HUGEINT, must be cast in the table's SQL). Columns: {types}"
            )
        fsync(staging)
        os.replace(staging, target)
        fsync(target.parent)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return LakeFile(table, target, rows, checksum, target.stat().st_size, ddl, exported=True)


def replace_with_view(conn: duckdb.DuckDBPyConnection, source: str, target: str, lake: LakeFile) -> None:
    """In database `target`, the table `lake.table` (copied there as an empty table) becomes a view over its
    Parquet file, with the comments of the table in database `source`."""
    cols = table_columns(conn, lake.table, source)
    name = qualified(lake.table, target)
    conn.execute(f"DROP TABLE {name}")
    conn.execute(f"CREATE VIEW {name} AS {scan_sql(lake.path, cols)}")
    comment_on(conn, lake.table, relation_comments(conn, lake.table, source), database=target, kind="VIEW")


def record_files(
    conn: duckdb.DuckDBPyConnection, database: str, run_id: str, files: Sequence[LakeFile], history: Sequence[tuple]
) -> None:
    """meta.lake_files of the new publication: its own files and `history` (rows of the previous publication's
    meta.lake_files, the last KEEP_PUBLICATIONS - 1 runs)."""
    conn.execute(LAKE_FILES_DDL.format(database=quote_name(database)))
    target = f"{quote_name(database)}.{LAKE_FILES}"
    if history:
        conn.executemany(f"INSERT INTO {target} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(history))
    if files:
        conn.executemany(
            f"INSERT INTO {target} VALUES (?, now(), ?, ?, ?, ?, ?, ?)",
            [(run_id, f.table, str(f.path), f.rows, f.checksum, f.bytes, f.ddl) for f in files],
        )


def history(published: Path, keep: int = KEEP_PUBLICATIONS - 1) -> list[tuple]:
    """The meta.lake_files rows of the last `keep` publications recorded in the published file (none before the
    first publication, or in a file of a release without a lake)."""
    if keep <= 0 or not published.exists():
        return []
    # ATTACH, not duckdb.connect(path): a connection of this process that still has an earlier publication open
    # would hand back that (cached) database instead of the file now at the path
    conn = duckdb.connect()
    try:
        conn.execute(f"ATTACH {quote_literal(published)} AS published (READ_ONLY)")
        if not table_exists(conn, LAKE_FILES, "published"):
            return []
        return conn.execute(
            f"SELECT * FROM published.{LAKE_FILES} WHERE run_id IN (SELECT run_id FROM published.{LAKE_FILES} "
            "GROUP BY run_id ORDER BY max(published_at) DESC LIMIT ?) ORDER BY published_at, table_name",
            [keep],
        ).fetchall()
    finally:
        conn.close()


def collect_garbage(folder: Path, keep: Iterable[str | Path]) -> list[Path]:
    """Remove every Parquet file (and any temporary left by a killed run) in `folder` that is not in `keep`;
    returns what was removed. Runs after the swap, so a failed run never removes a published file's data."""
    if not folder.is_dir():
        return []
    kept = {str(Path(p)) for p in keep}
    removed = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".gitignore" and str(p) not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    for sub in folder.iterdir():
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()
    return removed


def materialise(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Turn a copy of a published file back into a build: each lake view of the latest publication becomes the
    table it was (its recorded CREATE TABLE, its Parquet rows, its comments). Returns the tables."""
    if not table_exists(conn, LAKE_FILES):
        return []
    latest = conn.execute(
        f"SELECT table_name, file, ddl FROM {LAKE_FILES} WHERE run_id = (SELECT arg_max(run_id, published_at) "
        f"FROM {LAKE_FILES}) ORDER BY table_name"
    ).fetchall()
    missing = [(table, file) for table, file, _ in latest if not Path(file).exists()]
    if missing:
        where = conn.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        raise LakeError(
            f"{where[0][0]}: {missing[0][0]} reads {missing[0][1]}, which is missing (rule: a published file needs "
            "the Parquet files of its lake folder; copy the folder with the file, or delete both to rebuild)"
        )
    conn.execute("BEGIN TRANSACTION")
    try:
        for table, file, ddl in latest:
            cols = table_columns(conn, table)
            comments = relation_comments(conn, table)
            conn.execute(f"DROP VIEW {qualified(table)}")
            conn.execute(ddl)
            conn.execute(f"INSERT INTO {qualified(table)} {scan_sql(file, cols)}")
            comment_on(conn, table, comments)
        conn.execute(f"DROP TABLE {LAKE_FILES}")  # describes publications, not builds
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return [r[0] for r in latest]
