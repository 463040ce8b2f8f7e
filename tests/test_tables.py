"""Raw tables declared once (pipeline.tables): every derived form agrees with the declaration."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from pipeline.tables import RawTable, col, declare, declared, provenance

TABLE = RawTable(
    "raw.example_rows",
    "An example raw table.",
    (
        col("code", "VARCHAR", "A code.", null=False),
        col("year", "INTEGER", "A year.", null=False),
        col("value", "DOUBLE", "A value; NULL when unpublished."),
        col("tags", "VARCHAR[]", "Tags."),
        *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
    ),
)


def test_the_ddl_creates_the_declared_columns_types_and_nullability():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA raw")
    conn.execute(TABLE.ddl())
    conn.execute(TABLE.ddl())  # idempotent: run before every load
    rows = conn.execute(
        "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_name = 'example_rows' "
        "ORDER BY column_index"
    ).fetchall()
    assert rows == [
        ("code", "VARCHAR", False),
        ("year", "INTEGER", False),
        ("value", "DOUBLE", True),
        ("tags", "VARCHAR[]", True),
        ("request", "VARCHAR", False),
        ("source", "VARCHAR", False),
        ("source_mode", "VARCHAR", False),
        ("retrieved_at", "TIMESTAMP WITH TIME ZONE", False),
        ("load_id", "VARCHAR", False),
    ]


def test_the_incoming_frame_leaves_out_what_the_raw_sql_adds_and_keeps_types():
    assert TABLE.incoming() == {
        "code": pl.String(),
        "year": pl.Int32(),
        "value": pl.Float64(),
        "tags": pl.List(pl.String()),
        "request": pl.String(),
        "retrieved_at": pl.Datetime("us", "UTC"),
    }
    assert list(TABLE.incoming(exclude=("tags",))) == ["code", "year", "value", "request", "retrieved_at"]


def test_records_of_the_derived_type_become_a_typed_frame():
    Row = TABLE.record_type("Row", list(TABLE.incoming()))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    row = Row(code="CN", year=2020, value=None, tags=["a"], request="sample:x", retrieved_at=at)
    with pytest.raises(AttributeError):
        row.code = "US"  # frozen
    frame = TABLE.frame([row])
    assert frame.schema == pl.Schema(TABLE.incoming())
    assert frame.row(0) == ("CN", 2020, None, ["a"], "sample:x", at)
    with pytest.raises(KeyError, match="declares no column nope"):
        TABLE.record_type("Bad", ["code", "nope"])


def test_the_dictionary_entry_documents_own_columns_and_leaves_provenance_to_the_shared_docs():
    entry = TABLE.dictionary_entry()
    assert entry["description"] == "An example raw table."
    assert entry["columns"] == {
        "code": "A code.",
        "year": "A year.",
        "value": "A value; NULL when unpublished.",
        "tags": "Tags.",
    }


def test_a_table_is_declared_once():
    import assets.definitions  # noqa: F401  (imports every slice)

    with pytest.raises(ValueError, match="declared twice"):
        RawTable("raw.t", "t", (col("a", "VARCHAR"), col("a", "INTEGER")))
    first = declared()[0]
    assert declare(first) is first  # the same declaration again is harmless
    with pytest.raises(ValueError, match=f"{first.name} is declared twice, differently"):
        declare(RawTable(first.name, "another", first.columns))


def test_every_raw_table_of_the_warehouse_is_declared_by_a_slice_and_nowhere_else():
    import assets.definitions  # noqa: F401  (imports every slice)
    from pipeline.warehouse import sql_text

    names = [t.name for t in declared()]
    assert len(names) == len(set(names))
    shipped_ddl = sql_text("schema/raw.sql")
    assert [n for n in names if n in shipped_ddl] == [], "a declared raw table is still written in schema/raw.sql"
