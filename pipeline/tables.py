"""Raw tables declared once: name, description, columns (DuckDB type, nullability, meaning).

Every other form is derived from the declaration: the idempotent DDL the warehouse runs before each load,
the polars schema of the frame a connector hands in, the record type a connector fills, and the table's
entry in the data dictionary (COMMENT ON, Dagster's column schema, warehouse/DICTIONARY.md). Each source
slice writes its raw tables as data beside its connector (assets/<source>/tables.yaml), which its table.py
declares with `declare_package`; the generic layers (warehouse, dictionary) read them back with `declared`
and import no source.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
import yaml

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


# The keys a slice's tables.yaml may use: per table, its dictionary texts (`location` and the like are
# further dictionary keys, passed through as RawTable.extra_docs); per column, its declaration.
TABLE_KEYS = ("description", "columns", "examples")
EXTRA_DOC_KEYS = ("location",)
COLUMN_KEYS = ("name", "type", "not_null", "doc")
EXAMPLE_KEYS = ("question", "sql")
TABLES_FILE = "tables.yaml"


class TableFileError(ValueError):
    """A tables.yaml that does not declare tables as pipeline.tables reads them."""


def declare_package(package: str) -> dict[str, RawTable]:
    """Declare the raw tables of a slice's tables.yaml (shipped beside its code, found through
    importlib.resources, so an installed wheel reads the same file): name → RawTable, in file order."""
    text = importlib.resources.files(package).joinpath(TABLES_FILE).read_text(encoding="utf-8")
    tables = tables_from_yaml(text, f"{package.replace('.', '/')}/{TABLES_FILE}")
    return {name: declare(table) for name, table in tables.items()}


def tables_from_yaml(text: str, origin: str) -> dict[str, RawTable]:
    """The tables a tables.yaml text declares (not registered). `origin` names the file in every error."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TableFileError(f"{origin}: not YAML: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise TableFileError(f"{origin}: expected a mapping of table name to its declaration")
    return {str(name): _table(origin, str(name), spec) for name, spec in data.items()}


def _table(origin: str, name: str, spec: Any) -> RawTable:
    where = f"{origin}: {name}"
    if not isinstance(spec, dict):
        raise TableFileError(f"{where}: expected a mapping ({', '.join(TABLE_KEYS)})")
    _known_keys(where, spec, (*TABLE_KEYS, *EXTRA_DOC_KEYS))
    description = spec.get("description")
    if not isinstance(description, str) or not description:
        raise TableFileError(f"{where}: no description")
    columns = spec.get("columns")
    if not isinstance(columns, list) or not columns:
        raise TableFileError(f"{where}: no columns (a list, in table order)")
    declared_columns: list[Column] = []
    for position, column_spec in enumerate(columns, start=1):
        column = _column(where, position, column_spec)
        if column.name in (c.name for c in declared_columns):
            raise TableFileError(f"{where}: column {column.name} is declared twice")
        declared_columns.append(column)
    return RawTable(
        name,
        description,
        tuple(declared_columns),
        examples=tuple(_example(where, e) for e in spec.get("examples", [])),
        extra_docs={k: spec[k] for k in EXTRA_DOC_KEYS if k in spec},
    )


def _column(where: str, position: int, spec: Any) -> Column:
    if not isinstance(spec, dict):
        raise TableFileError(f"{where}: column {position}: expected a mapping ({', '.join(COLUMN_KEYS)})")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise TableFileError(f"{where}: column {position}: no name")
    where = f"{where}: column {name}"
    _known_keys(where, spec, COLUMN_KEYS)
    type_, not_null, doc = spec.get("type"), spec.get("not_null", False), spec.get("doc")
    if not isinstance(type_, str) or not type_:
        raise TableFileError(f"{where}: no type (its DuckDB type)")
    if not isinstance(not_null, bool):
        raise TableFileError(f"{where}: not_null is true or false, not {not_null!r}")
    if doc is not None and (not isinstance(doc, str) or not doc):
        raise TableFileError(f"{where}: doc is a text (leave it out for a shared provenance column)")
    return Column(name, type_, doc, nullable=not not_null)


def _example(where: str, spec: Any) -> Mapping[str, str]:
    if not isinstance(spec, dict) or sorted(spec) != sorted(EXAMPLE_KEYS):
        raise TableFileError(f"{where}: an example is a mapping of exactly {', '.join(EXAMPLE_KEYS)}")
    return {k: str(spec[k]) for k in EXAMPLE_KEYS}


def _known_keys(where: str, spec: dict, allowed: Sequence[str]) -> None:
    unknown = [str(k) for k in spec if k not in allowed]
    if unknown:
        raise TableFileError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(allowed)})")
