"""Glue between the gated loads (pipeline.warehouse) and Dagster events.

A table load yields one blocking `great_expectations` check result per table; when any suite fails
the transaction has already been rolled back, the results are still reported (with the rule and
sample offending records) and the step fails, so nothing downstream runs.
"""

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from pipeline.catalog import table_columns
from pipeline.dictionary import comments, dagster_schema, table_doc
from pipeline.settings import RunSettings, Settings
from pipeline.suites import no_checks
from pipeline.tables import RawTable
from pipeline.validation import Suite
from pipeline.warehouse import (
    GateFailed,
    LoadOutcome,
    TableLoad,
    Warehouse,
    load_gated,
    package_sql,
    sql_text,
)

CHECK_NAME = "great_expectations"
OWNERS = ["team:collab-observatory"]
PREVIEW_ROWS = 10
# Scope of a raw load: the rows of this mode and of the years being extracted are replaced.
RAW_SCOPE = (
    "source_mode = getvariable('source_mode') "
    "AND {year} BETWEEN getvariable('scope_first') AND getvariable('scope_last')"
)
# Whole-table rebuilds compare their row count with the previous rows of the same mode.
SAME_MODE = "source_mode = getvariable('source_mode')"
SuiteFn = Callable[..., Sequence[Suite]]
# Reads the committed tables of a load for extra materialisation metadata.
AfterLoad = Callable[[duckdb.DuckDBPyConnection, Settings], Mapping[str, dg.MetadataValue]]
# Frames a Python-estimated mart's SQL reads, computed from the warehouse before the load.
Incoming = Callable[["Warehouse", Settings], Mapping[str, pl.DataFrame]]


def key(table: str) -> dg.AssetKey:
    """Asset keys mirror warehouse names: raw.openalex_works → raw/openalex_works."""
    return dg.AssetKey(table.split("."))


def spec(table: str, group: str, deps: Sequence[str] = (), kinds: Sequence[str] = ("duckdb",)) -> dg.AssetSpec:
    return dg.AssetSpec(
        key(table),
        group_name=group,
        description=table_doc(table)["description"],
        owners=OWNERS,
        kinds=set(kinds),
        deps=[key(d) for d in deps],
    )


def check_spec(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        CHECK_NAME,
        asset=key(table),
        blocking=True,
        description=f"great-expectations suite on {table}, run inside the load transaction; "
        "a failed critical rule rolls the load back and blocks everything downstream (ERROR); "
        "failed warning rules alone (implausible but real data) show as WARN and the data loads.",
    )


def check_result(outcome: LoadOutcome, source: str) -> dg.AssetCheckResult:
    """The check's result for one load (its suites may have run in several batches). A failed critical
    rule fails it as an ERROR (the load was rolled back, downstream is blocked); failed warning rules
    alone fail it as a WARN: the data loaded, downstream runs, and the UI shows the counts and samples."""
    failed = [(r.suite, f) for r in outcome.results for f in r.failures]
    errors = [(s, f) for s, f in failed if f.blocking]
    warnings = [(s, f) for s, f in failed if not f.blocking]
    metadata: dict[str, dg.MetadataValue] = {
        "source": dg.MetadataValue.text(source),
        "rows_validated": dg.MetadataValue.int(outcome.rows),
        "previous_rows": dg.MetadataValue.int(outcome.previous_rows),
        "expectations_evaluated": dg.MetadataValue.int(sum(r.evaluated for r in outcome.results)),
        "suites": dg.MetadataValue.json(list(dict.fromkeys(r.suite for r in outcome.results))),
        "errors": dg.MetadataValue.int(len(errors)),
        "warnings": dg.MetadataValue.int(len(warnings)),
    }
    for suite, f in failed:
        metadata[f"{f.severity}: {suite} {f.describe()}"] = dg.MetadataValue.json(
            {
                "severity": f.severity,
                "rule": f.rule,
                "column": f.column,
                "unexpected_count": f.unexpected_count,
                "observed": f.observed,
                "note": f.note,
                "sample": f.sample,
            }
        )

    def listed(items: list) -> str:
        return "; ".join(f"{s}: {f.describe()}" for s, f in items)

    evaluated = sum(r.evaluated for r in outcome.results)
    if errors:
        description = f"{len(errors)} rule(s) failed on {outcome.table} (source {source}): {listed(errors)}"
        description += f" | {len(warnings)} warning(s): {listed(warnings)}" if warnings else ""
    elif warnings:
        description = f"loaded with {len(warnings)} warning(s) on {outcome.table} (source {source}): {listed(warnings)}"
    else:
        description = f"all {evaluated} expectations passed on {outcome.table}"
    return dg.AssetCheckResult(
        asset_key=key(outcome.table),
        check_name=CHECK_NAME,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if errors or not warnings else dg.AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


@dataclass(frozen=True)
class GateReport:
    check_results: list[dg.AssetCheckResult]
    outcomes: list[LoadOutcome]
    failure: dg.Failure | None

    def raise_if_failed(self) -> None:
        if self.failure is not None:
            raise self.failure


def gate(conn: duckdb.DuckDBPyConnection, loads: Sequence[TableLoad], source: str) -> GateReport:
    """Run the loads in one transaction. The asset yields `check_results` first, then calls
    `raise_if_failed()`: a failed suite fails the step naming source, table, rule and records."""
    try:
        outcomes = load_gated(conn, loads)
    except GateFailed as exc:
        failed = [
            {"table": o.table, "suite": r.suite, "rule": f.rule, "column": f.column, "sample": f.sample}
            for o in exc.outcomes
            for r in o.results
            for f in r.errors
        ]
        failure = dg.Failure(description=f"[{source}] {exc}", metadata={"failed_rules": dg.MetadataValue.json(failed)})
        return GateReport([check_result(o, source) for o in exc.outcomes if o.results], exc.outcomes, failure)
    return GateReport([check_result(o, source) for o in outcomes if o.results], outcomes, None)


def gated_tables(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    loads: Sequence[TableLoad],
    *,
    settings: Settings,
    source: str,
    frames: Mapping[str, pl.DataFrame] | None = None,
    extra: Mapping[str, dg.MetadataValue] | None = None,
    after: AfterLoad | None = None,
    **variables: Any,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The body every warehouse asset shares: register incoming frames, run the gated loads, yield
    the check results, fail if a suite failed, else yield one materialisation per table. `after`
    reads the committed tables for extra metadata (plots, say)."""
    with warehouse.connection(settings, load_id=context.run.run_id, **variables) as conn:
        for name, frame in (frames or {}).items():
            conn.register(name, frame.to_arrow())
        report = gate(conn, loads, source=source)
        yield from report.check_results
        report.raise_if_failed()
        metadata = {**(extra or {}), **(after(conn, settings) if after else {})}
        for outcome in report.outcomes:
            yield materialize_result(conn, outcome, metadata)


def not_loaded(tables: Sequence[str], mode: str, note: str) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """For a table this mode does not use: a passed gate and a materialisation saying why nothing was loaded
    (downstream assets still run; the table keeps what it had)."""
    for table in tables:
        yield dg.AssetCheckResult(asset_key=key(table), check_name=CHECK_NAME, passed=True, description=note)
        yield dg.MaterializeResult(asset_key=key(table), metadata={"source_mode": mode, "note": note})


def materialize_result(
    conn: duckdb.DuckDBPyConnection, outcome: LoadOutcome, extra: dict | None = None
) -> dg.MaterializeResult:
    # Bulky JSON payloads are left out of previews.
    json_columns = [name for name, dtype in table_columns(conn, outcome.table) if dtype == "JSON"]
    select = f"SELECT * EXCLUDE ({', '.join(json_columns)})" if json_columns else "SELECT *"
    preview = conn.sql(f"{select} FROM {outcome.table} LIMIT {PREVIEW_ROWS}")
    return dg.MaterializeResult(
        asset_key=key(outcome.table),
        metadata={
            "dagster/row_count": dg.MetadataValue.int(_rows(conn, outcome.table)),
            "rows_written": dg.MetadataValue.int(outcome.rows),
            "dagster/column_schema": dagster_schema(conn, outcome.table),
            "dagster/table_name": dg.MetadataValue.text(outcome.table),
            "preview": dg.MetadataValue.md(_markdown(preview.columns, preview.fetchall())),
            **(extra or {}),
        },
    )


def _rows(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _markdown(columns: Sequence[str], rows: Sequence[tuple]) -> str:
    def cell(v: object) -> str:
        text = f"{v:.6g}" if isinstance(v, float) else str(v)
        return text.replace("|", "\\|")[:60]

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def core_asset(
    name: str,
    tables: Mapping[str, SuiteFn | None],
    deps: Sequence[str],
    doc: str,
    *,
    group: str,
    source: str,
    variables: Mapping[str, Any] | None = None,
) -> dg.AssetsDefinition:
    """One multi-asset rebuilding a family's core tables from warehouse/core/*.sql through the gate
    (a table without a suite gets no check: it is validated through the tables built from it).
    `variables`: the family's own DuckDB variables its SQL reads (getvariable), beside the run's."""

    @dg.multi_asset(
        name=name,
        specs=[spec(t, group, deps=deps) for t in tables],
        check_specs=[check_spec(t) for t, suite in tables.items() if suite],
        pool="duckdb",
    )
    def _core(context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings) -> Iterator:
        settings = run_settings.get()
        yield from gated_tables(
            context,
            warehouse,
            core_loads(tables, settings),
            settings=settings,
            source=f"{source} ({settings.mode})",
            extra={"territory_policy": dg.MetadataValue.text(settings.territory_policy)},
            **(variables or {}),
        )

    _core.__doc__ = doc
    return _core


def core_loads(tables: Mapping[str, SuiteFn | None], settings: Settings, file_suffix: str = ".sql") -> list[TableLoad]:
    """Whole-table rebuilds of `tables` (in order) from warehouse/core/<name><file_suffix>, each with
    its suite (None: validated through the tables built from it)."""
    return [
        TableLoad(
            table,
            sql_text(f"core/{table.split('.')[1]}{file_suffix}"),
            functools.partial(suite or no_checks, tolerance=settings.rowcount_tolerance),
            compare_scope=SAME_MODE,
            comments=comments(table),
        )
        for table, suite in tables.items()
    ]


def mart_asset(
    table: str,
    deps: Sequence[str],
    suite_fn: Callable[..., Sequence[Suite]],
    doc: str,
    *,
    group: str,
    source: str,
    suite_settings: Callable[[Settings], dict[str, Any]] = lambda settings: {},
    after: AfterLoad | None = None,
    incoming: Incoming | None = None,
    kinds: Sequence[str] = ("duckdb",),
) -> dg.AssetsDefinition:
    """One asset per mart table: rebuild it from warehouse/mart/<name>.sql through the gate.
    `suite_settings` picks run settings the suite needs (e.g. a configured bound); `after` adds
    metadata read from the committed table; `incoming` computes frames the SQL reads (registered
    under their names), for marts estimated in Python."""
    name = table.split(".")[1]

    @dg.multi_asset(
        name=f"mart_{name}",
        specs=[spec(table, group, deps=deps, kinds=kinds)],
        check_specs=[check_spec(table)],
        pool="duckdb",
    )
    def _mart(context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings) -> Iterator:
        settings = run_settings.get()
        frames = incoming(warehouse, settings) if incoming else None
        yield from gated_tables(
            context,
            warehouse,
            [
                TableLoad(
                    table,
                    sql_text(f"mart/{name}.sql"),
                    functools.partial(suite_fn, tolerance=settings.rowcount_tolerance, **suite_settings(settings)),
                    compare_scope=SAME_MODE,
                    comments=comments(table),
                )
            ],
            settings=settings,
            source=f"{source} ({settings.mode})",
            extra={
                "source_mode": dg.MetadataValue.text(settings.mode),
                "territory_policy": dg.MetadataValue.text(settings.territory_policy),
            },
            after=after,
            frames=frames,
        )

    _mart.__doc__ = doc
    return _mart


# A raw load's suites for one table: (rows the load replaces, the run's settings, what was extracted).
RawSuiteFn = Callable[[int, Settings, "Extracted"], Sequence[Suite]]


@dataclass(frozen=True)
class Extracted:
    """What a source slice's extract step hands to the raw-asset factory."""

    frames: Mapping[str, pl.DataFrame]  # registered in DuckDB under these names for the raw SQL
    metadata: Mapping[str, dg.MetadataValue] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)  # DuckDB variables beside the run's
    source_label: str = ""  # the source as failures name it (default: "<source> (<mode>)")
    select_sql: Mapping[str, str] = field(default_factory=dict)  # per table, instead of its raw SQL file
    skip_note: str = ""  # non-empty: this mode does not use the source; nothing is loaded, this is said
    details: Mapping[str, Any] = field(default_factory=dict)  # what the slice's suites need to know


@dataclass(frozen=True)
class ExtractContext:
    context: dg.AssetExecutionContext
    settings: Settings
    source: Any  # the slice's source for this run: live client or bundled sample, chosen by its resource
    warehouse: Warehouse
    config: Any = None


@dataclass(frozen=True)
class RawTableLoad:
    """One raw table of a raw asset: its declaration, the SQL that writes it, its suites, its scope."""

    table: RawTable
    select_sql: str
    suites: RawSuiteFn
    # The rows a load replaces (a predicate using getvariable()); None: the whole table.
    scope: str | None = RAW_SCOPE.format(year="year")
    keep_unless_changed: tuple[str, ...] = ()


def raw_asset(
    name: str,
    loads: Sequence[RawTableLoad],
    extract: Callable[[ExtractContext], Extracted],
    *,
    source: str,
    resource_key: str | None,
    group: str,
    deps: Sequence[str] = (),
    kinds: Sequence[str] = ("duckdb", "python"),
    config: type[dg.Config] | None = None,
    doc: str,
) -> dg.AssetsDefinition:
    """A source's raw asset: extract (through the slice's resource, which picks the live client or the
    bundled sample), then load its raw tables in one gated transaction, scoped to the run's years unless
    the extract says otherwise. Naming, the run settings, provenance metadata and the gate live here once."""
    tables = [load.table.name for load in loads]

    def body(context: dg.AssetExecutionContext, config: Any) -> Iterator:
        settings: Settings = context.resources.run_settings.get()
        warehouse: Warehouse = context.resources.warehouse
        resource = getattr(context.resources, resource_key) if resource_key else None
        source_impl = resource.source(settings) if resource is not None else None
        extracted = extract(ExtractContext(context, settings, source_impl, warehouse, config))
        if extracted.skip_note:
            yield from not_loaded(tables, settings.mode, extracted.skip_note)
            return
        yield from gated_tables(
            context,
            warehouse,
            [_table_load(load, settings, extracted) for load in loads],
            settings=settings,
            source=extracted.source_label or f"{source} ({settings.mode})",
            frames=extracted.frames,
            extra={"source_mode": dg.MetadataValue.text(settings.mode), **extracted.metadata},
            **{"scope_first": settings.years[0], "scope_last": settings.years[1], **extracted.variables},
        )

    if config is None:

        def _raw(context: dg.AssetExecutionContext) -> Iterator:
            yield from body(context, None)

    else:

        def _raw(context: dg.AssetExecutionContext, config) -> Iterator:
            yield from body(context, config)

        _raw.__annotations__["config"] = config  # Dagster reads the run config's type from the annotation
    _raw.__name__ = name
    _raw.__doc__ = doc
    return dg.multi_asset(
        name=name,
        specs=[spec(t, group, deps=deps, kinds=kinds) for t in tables],
        check_specs=[check_spec(t) for t in tables],
        required_resource_keys={"warehouse", "run_settings", *([resource_key] if resource_key else [])},
        pool="duckdb",
    )(_raw)


def year_scoped(suite: Callable[..., Sequence[Suite]], *args: Any) -> RawSuiteFn:
    """A raw suite of the common signature (previous rows, (first, last) years, row-count tolerance, *args)
    as a load's suites: run over the run's years."""
    return lambda previous, settings, _: suite(previous, settings.years, settings.rowcount_tolerance, *args)


def slice_raw_asset(
    package: str,
    table: RawTable,
    suites: RawSuiteFn,
    extract: Callable[[ExtractContext], Extracted],
    *,
    group: str,
    deps: Sequence[str] = (),
    source: str = "",
    doc: str,
) -> dg.AssetsDefinition:
    """The common case of `raw_asset`: a slice (`package`, e.g. assets.uis) loading one table, year-scoped,
    with the slice's raw.sql, through the resource keyed by the slice's name; the step is `<slice>_raw`.
    `source` names the source in failures when it is not the slice's name."""
    name = package.rsplit(".", 1)[-1]
    return raw_asset(
        f"{name}_raw",
        [RawTableLoad(table, package_sql(package, "raw.sql"), suites)],
        extract,
        source=source or name,
        resource_key=name,
        group=group,
        deps=deps,
        doc=doc,
    )


def _table_load(load: RawTableLoad, settings: Settings, extracted: Extracted) -> TableLoad:
    return TableLoad(
        load.table.name,
        extracted.select_sql.get(load.table.name, load.select_sql),
        lambda previous: load.suites(previous, settings, extracted),
        scope=load.scope,
        comments=comments(load.table.name),
        keep_unless_changed=load.keep_unless_changed,
    )
