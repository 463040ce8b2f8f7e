"""The data dictionary as comments, Dagster schemas and Markdown: warehouse/dictionary.yaml (reference, core,
mart and meta tables) and the raw tables each source slice declares (pipeline.tables)."""

from __future__ import annotations

import functools

import dagster as dg
import duckdb
import yaml

from pipeline.catalog import table_columns
from pipeline.tables import declared
from pipeline.warehouse import SQL_ROOT

COMMON_ORDER = ("territory_policy", "count_basis", "source", "source_mode", "retrieved_at", "request", "load_id")


@functools.cache
def _shipped() -> dict:
    return yaml.safe_load(SQL_ROOT.joinpath("dictionary.yaml").read_text(encoding="utf-8"))


def dictionary() -> dict:
    """The whole dictionary: the declared raw tables first, then the shipped YAML's tables."""
    shipped = _shipped()
    raw = {t.name: t.dictionary_entry() for t in declared()}
    return {**shipped, "tables": {**raw, **shipped["tables"]}}


def table_doc(table: str) -> dict:
    tables = dictionary()["tables"]
    if table not in tables:
        raise KeyError(f"{table} is not documented (warehouse/dictionary.yaml or its slice's table.py)")
    return tables[table]


def column_docs(table: str) -> dict[str, str]:
    """Documented columns of `table`, the common provenance columns included."""
    return {**dictionary()["common_columns"], **table_doc(table)["columns"]}


def comments(table: str) -> dict[str, str]:
    """COMMENT ON texts for a table: '' is the table itself, then every documented column."""
    return {"": table_doc(table)["description"], **column_docs(table)}


def undocumented(table: str, columns: list[str]) -> list[str]:
    docs = column_docs(table)
    return [c for c in columns if c not in docs]


def examples() -> list[tuple[str, str, str]]:
    """(table, question, SQL) of every example query in the dictionary; the e2e tests run them all."""
    return [
        (table, e["question"], e["sql"])
        for table, doc in dictionary()["tables"].items()
        for e in doc.get("examples", [])
    ]


def dagster_schema(conn: duckdb.DuckDBPyConnection, table: str) -> dg.TableSchema:
    docs = column_docs(table)
    return dg.TableSchema(
        columns=[dg.TableColumn(name, dtype, description=docs.get(name)) for name, dtype in table_columns(conn, table)]
    )


def render_markdown() -> str:
    d = dictionary()
    out = [
        "# Warehouse data dictionary",
        "",
        "Generated from `warehouse/dictionary.yaml` and the raw tables each source slice declares",
        "(`assets/<source>/tables.yaml`) by `scripts/render_dictionary.py`; do not edit by hand.",
        "The same texts are stored in the warehouse: `SELECT table_name, comment FROM duckdb_tables()` and",
        "`SELECT table_name, column_name, comment FROM duckdb_columns()`.",
        "",
        "## Provenance columns (shared)",
        "",
        "| column | meaning |",
        "|---|---|",
        *[f"| `{c}` | {d['common_columns'][c]} |" for c in COMMON_ORDER if c in d["common_columns"]],
    ]
    for table, doc in d["tables"].items():
        out += ["", f"## `{table}`", "", doc["description"], "", "| column | meaning |", "|---|---|"]
        out += [f"| `{c}` | {text} |" for c, text in doc["columns"].items()]
        for example in doc.get("examples", []):
            out += ["", f"**{example['question']}**", "", "```sql", example["sql"].strip(), "```"]
    return "\n".join(out) + "\n"
