"""Raw tables declared once: name, description, columns (DuckDB type, nullability, meaning).

Every other form is derived from the declaration: the idempotent DDL the warehouse runs before each load,
the polars schema of the frame a connector hands in, the record type a connector fills, and the table's
entry in the data dictionary (COMMENT ON, Dagster's column schema, warehouse/DICTIONARY.md). Each source
slice declares its own raw tables beside its connector (assets/<source>/table.py) with `declare`; the
generic layers (warehouse, dictionary) read them back with `declared` and import no source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

# DuckDB type → (polars type, Python type) of a column a connector hands in.
_TYPES: dict[str, tuple[pl.DataType, type]] = {
    "VARCHAR": (pl.String(), str),
    "JSON": (pl.String(), str),
    "INTEGER": (pl.Int32(), int),
    "BIGINT": (pl.Int64(), int),
    "DOUBLE": (pl.Float64(), float),
    "BOOLEAN": (pl.Boolean(), bool),
    "DATE": (pl.Date(), date),
    "TIMESTAMPTZ": (pl.Datetime("us", "UTC"), datetime),
    "VARCHAR[]": (pl.List(pl.String()), list),
}
# Provenance the raw SQL adds to every row (the connector does not): which source, which mode, which run.
ADDED_BY_SQL = ("source", "source_mode", "load_id")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type as written in the DDL
    doc: str | None = None  # None: a shared provenance column, documented once (dictionary common_columns)
    nullable: bool = True

    def ddl(self, width: int) -> str:
        return f"    {self.name:<{width}} {self.type}{'' if self.nullable else ' NOT NULL'}"

    @property
    def polars_type(self) -> pl.DataType:
        if self.type not in _TYPES:
            raise TypeError(f"column {self.name}: {self.type} is not handed in by a connector")
        return _TYPES[self.type][0]

    @property
    def python_type(self) -> Any:
        python = _TYPES[self.type][1] if self.type in _TYPES else object
        return python if not self.nullable else python | None


def col(name: str, type_: str, doc: str | None = None, *, null: bool = True) -> Column:
    """A column: `null=False` for NOT NULL."""
    return Column(name, type_, doc, nullable=null)


def provenance(*names: str) -> tuple[Column, ...]:
    """The shared provenance columns, NOT NULL, in the order given (request, source, source_mode, …)."""
    types = {"retrieved_at": "TIMESTAMPTZ"}
    return tuple(Column(n, types.get(n, "VARCHAR"), nullable=False) for n in names)


@dataclass(frozen=True)
class RawTable:
    name: str  # schema.table
    description: str
    columns: tuple[Column, ...]
    examples: tuple[Mapping[str, str], ...] = ()
    added_by_sql: tuple[str, ...] = ADDED_BY_SQL
    extra_docs: Mapping[str, Any] = field(default_factory=dict)  # further dictionary keys (location, …)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is declared twice")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self) -> str:
        width = max(20, *(len(c.name) for c in self.columns))
        body = ",\n".join(c.ddl(width) for c in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n{body}\n);\n"

    def incoming(self, exclude: Iterable[str] = ()) -> dict[str, pl.DataType]:
        """The polars schema of the frame the connector hands in: every column but those the raw SQL adds
        (and `exclude`: columns the asset adds to the frame itself)."""
        left_out = {*self.added_by_sql, *exclude}
        return {c.name: c.polars_type for c in self.columns if c.name not in left_out}

    def frame(self, records: Sequence[Any], exclude: Iterable[str] = ()) -> pl.DataFrame:
        """Connector records (objects with one attribute per incoming column) as a typed frame."""
        schema = self.incoming(exclude)
        return pl.DataFrame([tuple(getattr(r, c) for c in schema) for r in records], schema=schema, orient="row")

    def record_type(self, type_name: str, columns: Sequence[str]) -> type:
        """A frozen dataclass with the declared types of `columns`: what the connector fills per record."""
        by_name = {c.name: c for c in self.columns}
        missing = [c for c in columns if c not in by_name]
        if missing:
            raise KeyError(f"{self.name} declares no column {', '.join(missing)}")
        return dataclasses.make_dataclass(type_name, [(c, by_name[c].python_type) for c in columns], frozen=True)

    def dictionary_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            **self.extra_docs,
            "description": self.description,
            "columns": {c.name: c.doc for c in self.columns if c.doc},
        }
        if self.examples:
            entry["examples"] = [dict(e) for e in self.examples]
        return entry


_DECLARED: dict[str, RawTable] = {}


def declare(table: RawTable) -> RawTable:
    """Register a slice's raw table (once per name: a second, different declaration is an error)."""
    known = _DECLARED.setdefault(table.name, table)
    if known != table:
        raise ValueError(f"{table.name} is declared twice, differently")
    return table


def declared() -> list[RawTable]:
    """Every registered raw table by name (the slices imported so far: the definitions import them all);
    sorted, so the order does not depend on which module imported which slice first."""
    return [_DECLARED[name] for name in sorted(_DECLARED)]
