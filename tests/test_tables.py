"""Raw tables declared once (pipeline.tables): every derived form agrees with the declaration."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.tables import (
    RawTable,
    TableFileError,
    col,
    declare,
    declare_package,
    declared,
    provenance,
    tables_from_yaml,
)

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


# TABLE as a slice writes it in its tables.yaml, with an example query and a further dictionary key.
TABLE_YAML = """
raw.example_rows:
  description: An example raw table.
  location: parquet
  columns:
    - {name: code, type: VARCHAR, not_null: true, doc: A code.}
    - name: year
      type: INTEGER
      not_null: true
      doc: A year.
    - {name: value, type: DOUBLE, doc: "A value; NULL when unpublished."}
    - {name: tags, type: "VARCHAR[]", doc: Tags.}
    - {name: request, type: VARCHAR, not_null: true}
    - {name: source, type: VARCHAR, not_null: true}
    - {name: source_mode, type: VARCHAR, not_null: true}
    - {name: retrieved_at, type: TIMESTAMPTZ, not_null: true}
    - {name: load_id, type: VARCHAR, not_null: true}
  examples:
    - question: How many rows per year?
      sql: SELECT year, count(*) FROM raw.example_rows GROUP BY year
"""


def test_a_tables_yaml_declares_the_same_table_as_the_code():
    (table,) = tables_from_yaml(TABLE_YAML, "example/tables.yaml").values()
    assert table.columns == TABLE.columns
    assert table.ddl() == TABLE.ddl()
    assert table.incoming() == TABLE.incoming()
    entry = table.dictionary_entry()
    assert entry["location"] == "parquet"
    assert entry["columns"] == TABLE.dictionary_entry()["columns"]
    assert entry["examples"] == [
        {"question": "How many rows per year?", "sql": "SELECT year, count(*) FROM raw.example_rows GROUP BY year"}
    ]


def test_a_slice_declares_its_tables_from_the_tables_yaml_beside_its_code():
    from assets.t100.table import T100_FILES, T100_SEGMENTS

    tables = declare_package("assets.t100")  # again: the same declarations, harmless
    assert list(tables) == ["raw.t100_files", "raw.t100_segments"]
    assert tables["raw.t100_files"] == T100_FILES and tables["raw.t100_segments"] == T100_SEGMENTS
    assert [t for t in declared() if t.name in tables] == list(tables.values())


def _without(text: str, line: str) -> str:
    assert line in text
    return text.replace(line, "", 1)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("raw.t: [", "example/tables.yaml: not YAML"),
        ("- raw.t", "example/tables.yaml: expected a mapping of table name"),
        (TABLE_YAML.replace("  location:", "  owner:"), "raw.example_rows: unknown key(s) owner"),
        (_without(TABLE_YAML, "  description: An example raw table.\n"), "raw.example_rows: no description"),
        (TABLE_YAML.replace("type: INTEGER", "typ: INTEGER"), "raw.example_rows: column year: unknown key(s) typ"),
        (_without(TABLE_YAML, "      type: INTEGER\n"), "raw.example_rows: column year: no type"),
        (TABLE_YAML.replace("name: tags", "name: code"), "raw.example_rows: column code is declared twice"),
        (
            TABLE_YAML.replace("not_null: true\n      doc: A year.", "not_null: yes please\n      doc: A year."),
            "raw.example_rows: column year: not_null is true or false",
        ),
        (TABLE_YAML.replace("doc: Tags.", "doc: 3"), "raw.example_rows: column tags: doc is a text"),
        (TABLE_YAML.replace("- {name: code, ", "- {"), "raw.example_rows: column 1: no name"),
        (TABLE_YAML.replace("      sql: SELECT", "      query: SELECT"), "raw.example_rows: an example is a mapping"),
        ("raw.t:\n  description: t\n  columns: []\n", "raw.t: no columns"),
    ],
)
def test_a_tables_yaml_error_names_the_file_the_table_and_the_column(text: str, error: str):
    with pytest.raises(TableFileError) as raised:
        tables_from_yaml(text, "example/tables.yaml")
    assert str(raised.value).startswith("example/tables.yaml: ")
    assert error in str(raised.value)


def test_declare_package_names_the_shipped_file_in_its_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    package = tmp_path / "broken_slice"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "tables.yaml").write_text(_without(TABLE_YAML, "      type: INTEGER\n"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "broken_slice", raising=False)
    with pytest.raises(TableFileError) as raised:
        declare_package("broken_slice")
    assert str(raised.value).startswith("broken_slice/tables.yaml: raw.example_rows: column year: no type")
    assert "raw.example_rows" not in [t.name for t in declared()]
