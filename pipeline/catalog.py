"""DuckDB names, literals and catalog lookups shared by the warehouse, the lake and the validation engines.

A database name is optional everywhere: None means the connection's current database (a published file and
its build are attached side by side while publishing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb


def quote_name(name: str) -> str:
    """An identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str | Path) -> str:
    """A string literal, single-quoted."""
    return "'" + str(text).replace("'", "''") + "'"


def qualified(table: str, database: str | None = None) -> str:
    """`schema.table` (optionally in `database`), every part quoted."""
    return ".".join(quote_name(p) for p in ((database,) if database else ()) + tuple(table.split(".")))


def table_columns(conn: duckdb.DuckDBPyConnection, table: str, database: str | None = None) -> list[tuple[str, str]]:
    """(column, DuckDB type) of `schema.table` (a table or a view), in table order."""
    schema, name = table.split(".")
    return conn.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [database, schema, name],
    ).fetchall()


def table_exists(conn: duckdb.DuckDBPyConnection, table: str, database: str | None = None) -> bool:
    """Whether `schema.table` is a stored table (not a view)."""
    schema, name = table.split(".")
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = coalesce(?, current_database()) "
            "AND schema_name = ? AND table_name = ?",
            [database, schema, name],
        ).fetchall()[0][0]
    )


def relation_comments(conn: duckdb.DuckDBPyConnection, table: str, database: str | None = None) -> dict[str, str]:
    """The comments of a table or view: '' → its own, column → the column's (only those that have one)."""
    schema, name = table.split(".")
    where = "database_name = coalesce(?, current_database()) AND schema_name = ?"
    own = conn.execute(
        f"SELECT comment FROM duckdb_tables() WHERE {where} AND table_name = ? UNION ALL "
        f"SELECT comment FROM duckdb_views() WHERE {where} AND view_name = ?",
        [database, schema, name, database, schema, name],
    ).fetchall()
    columns = conn.execute(
        f"SELECT column_name, comment FROM duckdb_columns() WHERE {where} AND table_name = ? AND comment IS NOT NULL",
        [database, schema, name],
    ).fetchall()
    return {**({"": own[0][0]} if own and own[0][0] else {}), **dict(columns)}


def comment_on(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    comments: Mapping[str, str],
    *,
    database: str | None = None,
    kind: str = "TABLE",
) -> None:
    """COMMENT ON the relation ('' key; `kind` TABLE or VIEW) and its columns, skipping columns it lacks (shared
    provenance docs cover columns some tables do not have)."""
    name = qualified(table, database)
    present = {column for column, _ in table_columns(conn, table, database)}
    for column, text in comments.items():
        if column and column not in present:
            continue
        target = f"{kind} {name}" if not column else f"COLUMN {name}.{quote_name(column)}"
        conn.execute(f"COMMENT ON {target} IS {quote_literal(text)}")
