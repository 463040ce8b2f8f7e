"""great-expectations suites and their evaluation, independent of Dagster.

A `Suite` pairs a SQL view of a warehouse table (evaluated on the table itself, inside the load's
transaction) with GX expectations. `validate_frame` runs it on a pandas frame and returns every failed
rule with the offending records, which the Dagster check result then shows. `validate_query` runs it on
the view itself in memory bounded by `CHUNK_ROWS`, whatever the table's size (see its docstring), or, for
a suite marked `sql_rules` (the big tables'), as DuckDB aggregates (pipeline.sql_rules).
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
import pycountry
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine
from great_expectations.expectations.expectation import FailureSeverity

from pipeline.catalog import quote_name

SAMPLE_ROWS = 5
# GX's own severities (Expectation.severity): a rule describing the world is built with
# severity=WARNING and reported without blocking; every other rule is CRITICAL and blocks the load.
CRITICAL, WARNING = FailureSeverity.CRITICAL.value, FailureSeverity.WARNING.value

# OpenAlex codes Kosovo as XK, a user-assigned code pycountry does not list.
EXTRA_COUNTRY_CODES = ("XK",)


def iso2_codes() -> list[str]:
    return sorted({c.alpha_2 for c in pycountry.countries} | set(EXTRA_COUNTRY_CODES))


def iso3_codes() -> list[str]:
    """ISO 3166-1 alpha-3 codes only: regional aggregates (UIS 'WB:…', 'SDG:…') are not countries."""
    return sorted(c.alpha_3 for c in pycountry.countries)


@dataclass(frozen=True)
class Suite:
    name: str  # e.g. "raw.openalex_works:rows"
    view_sql: str  # SELECT over the table being loaded
    expectations: Sequence[Any]
    id_columns: Sequence[str] = ()
    # Evaluated as DuckDB aggregates by pipeline.sql_rules instead of great-expectations (same result): the
    # row rules of the big tables, at scan speed. Every rule must be one sql_rules supports.
    sql_rules: bool = False


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    column: str | None
    unexpected_count: int | None
    sample: list[dict]
    observed: Any = None
    severity: str = CRITICAL  # 'critical' blocks the load; 'warning' is reported and the data loads
    note: str | None = None  # the expectation's own description: why the rule exists

    @property
    def blocking(self) -> bool:
        return self.severity == CRITICAL

    def describe(self) -> str:
        where = f"[{self.column}]" if self.column else ""
        count = f" ({self.unexpected_count} rows)" if self.unexpected_count else ""
        observed = f" observed={self.observed}" if self.observed is not None else ""
        note = f" - {self.note}" if self.note else ""
        return f"{self.rule}{where}{count}{observed}{note}"


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    rows: int
    evaluated: int
    failures: list[RuleFailure] = field(default_factory=list)

    @property
    def errors(self) -> list[RuleFailure]:
        """Failed blocking rules."""
        return [f for f in self.failures if f.blocking]

    @property
    def warnings(self) -> list[RuleFailure]:
        """Failed warning rules: implausible but possible data, loaded and reported."""
        return [f for f in self.failures if not f.blocking]

    @property
    def success(self) -> bool:
        """No blocking rule failed (warnings do not stop a load)."""
        return not self.errors


@functools.cache
def _batch_definition() -> Any:
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    # GX fingerprints every in-memory batch below HASH_THRESHOLD bytes by hashing all its rows, twice per
    # validation (PandasExecutionEngine.get_batch_data_and_markers); the fingerprint is a batch marker nothing
    # here reads, and on 500,000-row batches it is over half the validation time. GX already skips it for
    # frames above the threshold; a threshold of 0 skips it for all (tests/test_validation_chunks.py checks it).
    pandas_execution_engine.HASH_THRESHOLD = 0
    return (
        ctx.data_sources.add_pandas("warehouse")
        .add_dataframe_asset("table")
        .add_batch_definition_whole_dataframe("all")
    )


def _clean(value: Any) -> Any:
    """JSON-safe metadata: pandas nulls (NaN, NA, NaT) become None, numpy scalars become Python,
    anything else without a JSON form becomes its text."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, str | int | float | bool) else str(value)


def _result_format(suite: Suite) -> dict[str, Any]:
    result_format: dict[str, Any] = {"result_format": "COMPLETE", "partial_unexpected_count": SAMPLE_ROWS}
    if suite.id_columns:
        result_format["unexpected_index_column_names"] = list(suite.id_columns)
    return result_format


def _failure(config: Any, details: dict) -> RuleFailure:
    sample = details.get("unexpected_index_list") or [
        {"value": v} for v in (details.get("partial_unexpected_list") or [])
    ]
    return RuleFailure(
        rule=config.type,
        column=config.kwargs.get("column"),
        unexpected_count=details.get("unexpected_count"),
        sample=[{k: _clean(v) for k, v in row.items()} for row in sample[:SAMPLE_ROWS]],
        observed=_clean(details.get("observed_value")),
        severity=FailureSeverity(getattr(config, "severity", None) or CRITICAL).value,
        note=getattr(config, "description", None),
    )


def validate_frame(frame: pd.DataFrame, suite: Suite) -> SuiteResult:
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=list(suite.expectations))
    res = (
        _batch_definition()
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(gx_suite, result_format=_result_format(suite))
    )
    failures = [_failure(r.expectation_config, r.result or {}) for r in res.results if not r.success]
    return SuiteResult(suite.name, len(frame), len(res.results), failures)


# --- the same suite on a view of any size, in bounded memory --------------------------------------------

# Rows per great-expectations batch. A view with more rows is streamed in batches of at most this many
# rows; one with at most this many is validated whole, as `validate_frame` (tests lower it).
CHUNK_ROWS = 500_000
VECTOR_ROWS = 2048  # DuckDB's vector size: fetch_df_chunk counts in vectors

# How each expectation type is evaluated on a large view. The classes are listed explicitly (not found by
# GX base class: ExpectColumnValuesToBeUnique, ...ToBeIncreasing or ...ZScoresToBeLessThan are
# ColumnMapExpectations too, but a row's verdict depends on the other rows). Any type not listed, and any
# non-row-wise one with a row_condition, is evaluated on the whole frame as before: exact, not bounded.
ROW_WISE = frozenset(  # a row's verdict depends on that row only: per-batch counts add up
    {
        gxe.ExpectColumnValuesToNotBeNull,
        gxe.ExpectColumnValuesToBeNull,
        gxe.ExpectColumnValuesToBeInSet,
        gxe.ExpectColumnValuesToNotBeInSet,
        gxe.ExpectColumnValuesToBeBetween,
        gxe.ExpectColumnValuesToMatchRegex,
        gxe.ExpectColumnValuesToNotMatchRegex,
        gxe.ExpectColumnValuesToMatchRegexList,
        gxe.ExpectColumnValuesToNotMatchRegexList,
        gxe.ExpectColumnValueLengthsToBeBetween,
        gxe.ExpectColumnValueLengthsToEqual,
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        gxe.ExpectColumnPairValuesToBeEqual,
        gxe.ExpectColumnPairValuesToBeInSet,
        gxe.ExpectMulticolumnSumToEqual,
        gxe.ExpectSelectColumnValuesToBeUniqueWithinRecord,
    }
)
# Map expectations whose rule counts every row (nulls included), not only the non-null ones.
COUNTS_NULLS = frozenset({gxe.ExpectColumnValuesToNotBeNull, gxe.ExpectColumnValuesToBeNull})
ROW_COUNT = frozenset({gxe.ExpectTableRowCountToBeBetween, gxe.ExpectTableRowCountToEqual})  # on the true count
SCHEMA = frozenset(  # depend on the column names only: evaluated on the view's empty frame
    {
        gxe.ExpectColumnToExist,
        gxe.ExpectTableColumnCountToBeBetween,
        gxe.ExpectTableColumnCountToEqual,
        gxe.ExpectTableColumnsToMatchOrderedList,
        gxe.ExpectTableColumnsToMatchSet,
    }
)
# Uniqueness: evaluated on the rows whose key occurs more than once (found in SQL), the only rows it can
# flag. Keys must compare in DuckDB as in pandas: no floats (-0.0, NaN), decimals or nested types.
UNIQUE = frozenset({gxe.ExpectColumnValuesToBeUnique, gxe.ExpectCompoundColumnsToBeUnique})
POSITION = "__row_in_view"  # the position column added to a view to select its duplicated rows in order
EXACT_KEY_TYPES = frozenset(
    {
        "VARCHAR",
        "BOOLEAN",
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "DATE",
        "TIMESTAMP",
    }
)


@contextlib.contextmanager
def _duckdb_to_pandas() -> Iterator[None]:
    """DuckDB 2.0's pandas conversion calls DataFrame.drop(inplace=True), which pandas 3.1 deprecates
    (Pandas4Warning): a third-party call we cannot change, silenced here only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop", category=DeprecationWarning)
        yield


def fetch_frame(conn: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """`conn.execute(sql).fetchdf()`, without the third-party deprecation noise."""
    with _duckdb_to_pandas():
        return conn.execute(sql).fetchdf()


def _unique_plan(expectation: Any, types: dict[str, str]) -> tuple[list[str], str] | None:
    """(key columns, SQL predicate of the rows GX compares) for a uniqueness expectation evaluated on its
    duplicated keys, or None when it must be evaluated whole."""
    if getattr(expectation, "mostly", None) not in (None, 1):
        return None  # success would need the share of unique rows among all the rows considered
    if isinstance(expectation, gxe.ExpectColumnValuesToBeUnique):
        keys, rule = [expectation.column], "any_value_is_missing"  # GX drops null values first
    else:
        keys, rule = list(expectation.column_list), expectation.ignore_row_if
    if not keys or any(types.get(k) not in EXACT_KEY_TYPES for k in keys) or POSITION in types:
        return None
    predicate = {
        "any_value_is_missing": " AND ".join(f"{quote_name(k)} IS NOT NULL" for k in keys),
        "all_values_are_missing": "NOT (" + " AND ".join(f"{quote_name(k)} IS NULL" for k in keys) + ")",
        "never": "true",
    }.get(str(rule))
    return None if predicate is None else (keys, predicate)


def _kind(expectation: Any, types: dict[str, str]) -> str:
    kind = type(expectation)
    if kind in ROW_WISE:
        return "row"  # a row_condition filters rows one by one: still row-wise
    if getattr(expectation, "row_condition", None):
        return "whole"
    if kind in ROW_COUNT:
        return "count"
    if kind in SCHEMA:
        return "schema"
    if kind in UNIQUE and _unique_plan(expectation, types) is not None:
        return "unique"
    return "whole"


def _gx_order(expectations: Sequence[Any], indices: Sequence[int]) -> list[int]:
    """The order GX reports results in: grouped by `column`, groups in order of first appearance
    (Validator.process_expectations_for_validation)."""
    groups: dict[Any, list[int]] = {}
    for i in indices:
        column = expectations[i].configuration.kwargs.get("column")
        groups.setdefault(column if isinstance(column, str) else None, []).append(i)
    return [i for group in groups.values() for i in group]


def _evaluate(frame: pd.DataFrame, suite: Suite, indices: Sequence[int]) -> dict[int, Any]:
    """GX's result for each of `indices` (positions in suite.expectations), evaluated by GX on `frame`."""
    if not indices:
        return {}
    order = _gx_order(suite.expectations, indices)
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=[suite.expectations[i] for i in order])
    res = (
        _batch_definition()
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(gx_suite, result_format=_result_format(suite))
    )
    if len(res.results) != len(order):
        raise RuntimeError(f"{suite.name}: GX returned {len(res.results)} results for {len(order)} expectations")
    for i, r in zip(order, res.results, strict=True):
        expected = suite.expectations[i].configuration
        if (r.expectation_config.type, r.expectation_config.kwargs.get("column")) != (
            expected.type,
            expected.kwargs.get("column"),
        ):
            raise RuntimeError(f"{suite.name}: GX results are not in the order expected")
    return dict(zip(order, res.results, strict=True))


@dataclass
class _Merged:
    """One map expectation evaluated batch by batch: counts add up, samples keep the first rows."""

    expectation: Any
    config: Any = None
    raised: bool = False
    element: int = 0
    missing: int = 0
    unexpected: int = 0
    index_sample: list = field(default_factory=list)
    value_sample: list = field(default_factory=list)

    def add(self, result: Any) -> None:
        self.config = self.config or result.expectation_config
        details = result.result or {}
        if details.get("unexpected_count") is None:  # GX raised (e.g. a missing column): no counts
            self.raised = True
            return
        self.element += details.get("element_count") or 0
        self.missing += details.get("missing_count") or 0
        self.unexpected += details["unexpected_count"]
        self.index_sample += (details.get("unexpected_index_list") or [])[: SAMPLE_ROWS - len(self.index_sample)]
        self.value_sample += (details.get("partial_unexpected_list") or [])[: SAMPLE_ROWS - len(self.value_sample)]

    def outcome(self) -> tuple[Any, bool, dict]:
        if self.raised:
            return self.config, False, {}
        # GX's rule (ColumnMapExpectation._validate and its peers, ExpectColumnValuesToNotBeNull._validate)
        # on the summed counts: vacuously true without rows considered, else the share of expected rows
        # among them against `mostly`.
        considered = self.element if type(self.expectation) in COUNTS_NULLS else self.element - self.missing
        mostly = getattr(self.expectation, "mostly", 1)
        mostly = 1 if mostly is None else mostly
        success = self.element == 0 or considered == 0 or (considered - self.unexpected) / considered >= mostly
        details = {
            "unexpected_count": self.unexpected,
            "unexpected_index_list": self.index_sample,
            "partial_unexpected_list": self.value_sample,
        }
        return self.config, success, details


def _nullable(dtype: Any) -> str | None:
    """The pandas dtype DuckDB's fetchdf gives a column of this numpy dtype when the column has nulls."""
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iub":
        return None
    return "boolean" if dtype.kind == "b" else f"{'U' if dtype.kind == 'u' else ''}Int{dtype.itemsize * 8}"


def _whole_dtypes(conn: duckdb.DuckDBPyConnection, sql: str, rows: int) -> tuple[dict[str, str], pd.DataFrame] | None:
    """(DuckDB type of each column, an empty frame with the dtypes fetchdf gives the whole view), or None if
    the view has two columns of the same name (subqueries over it would rename them).

    fetchdf's dtypes depend on the data in two ways (DuckDB 2.0, pandas 3): an integer or boolean column
    with nulls becomes a nullable Int/boolean, and a VARCHAR column without any value comes as object (with
    values, as pandas' string dtype). Both are settled here by counting each such column's non-null values.
    """
    shape = conn.sql(f"SELECT * FROM ({sql}) LIMIT 0")
    if len(set(shape.columns)) != len(shape.columns):
        return None
    types = dict(zip(shape.columns, (str(t) for t in shape.types), strict=True))
    with _duckdb_to_pandas():
        template = shape.df()  # no rows: numpy int/bool, VARCHAR as object
    data_dependent = [c for c in template.columns if _nullable(template[c].dtype) or types[c] == "VARCHAR"]
    if not data_dependent:
        return types, template
    counts = conn.execute(f"SELECT {', '.join(f'count({quote_name(c)})' for c in data_dependent)} FROM ({sql})")
    non_nulls = counts.fetchall()[0]
    with_values = fetch_frame(conn, "SELECT 'x' AS v")["v"].dtype
    dtypes = {}
    for column, non_null in zip(data_dependent, non_nulls, strict=True):
        if types[column] == "VARCHAR" and non_null > 0:
            dtypes[column] = with_values
        elif _nullable(template[column].dtype) and non_null < rows:
            dtypes[column] = _nullable(template[column].dtype)
    return types, template.astype(dtypes)


def _conform(frame: pd.DataFrame, dtypes: pd.Series) -> pd.DataFrame | None:
    """`frame`, a part of the view as fetchdf converts it, with the dtypes fetchdf gives the whole view
    (`_whole_dtypes`): an int/bool column without nulls in this part made nullable, a VARCHAR column with no
    value in this part made a string column. None when the dtypes differ otherwise."""
    cast = {
        c: dtypes[c]
        for c in frame.columns
        if frame[c].dtype != dtypes[c]
        and (_nullable(frame[c].dtype) or (frame[c].dtype == object and frame[c].isna().all()))
    }
    if cast:
        frame = frame.astype(cast)
    return frame if list(frame.dtypes) == list(dtypes) else None


def _batches(conn: duckdb.DuckDBPyConnection, sql: str) -> Iterator[pd.DataFrame]:
    """The rows of `sql` as pandas frames of at most CHUNK_ROWS rows, streamed: fetch_df_chunk converts
    like fetchdf, so each batch has the dtypes fetchdf gives (up to nulls, see _conform). No other query
    may run on `conn` until the generator is exhausted."""
    conn.execute(sql)
    finished = False
    try:
        while True:
            with _duckdb_to_pandas():
                part = conn.fetch_df_chunk(max(1, CHUNK_ROWS // VECTOR_ROWS))
            if len(part) == 0:
                finished = True
                return
            for start in range(0, len(part), CHUNK_ROWS):
                yield part.iloc[start : start + CHUNK_ROWS]
    finally:
        if not finished:  # left early (an error, or a fallback): free the connection for the next query
            conn.abort()


def _unique_outcome(
    conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite, index: int, types: dict[str, str], template: pd.DataFrame
) -> tuple[Any, bool, dict]:
    """A uniqueness expectation evaluated by GX on the rows whose key occurs more than once among the rows GX
    compares: exactly the rows it can flag, wherever in the view the duplicates lie, in view order and
    indexed by their position in the view, so GX reports the sample rows of the whole frame.

    If those rows are more than CHUNK_ROWS, they go to GX in batches of whole key groups (groups in key
    order, a batch holds the groups starting within its CHUNK_ROWS rows: at most CHUNK_ROWS rows plus one
    group), so every duplicate still meets its partners; the counts stay exact, the sample rows are then
    the first offending rows of the first batch rather than of the view.
    """
    expectation = suite.expectations[index]
    keys, predicate = _unique_plan(expectation, types) or ([], "")
    key = ", ".join(quote_name(k) for k in keys)
    groups = f"SELECT {key}, count(*) AS n FROM ({sql}) WHERE {predicate} GROUP BY {key} HAVING count(*) > 1"
    duplicated_rows = conn.execute(f"SELECT coalesce(sum(n), 0) FROM ({groups})").fetchall()[0][0]
    merged = _Merged(expectation)
    if duplicated_rows == 0:
        merged.add(_evaluate(template, suite, [index])[index])
        return merged.outcome()
    match = " AND ".join(f"v.{quote_name(k)} IS NOT DISTINCT FROM d.{quote_name(k)}" for k in keys)
    # The view's own row order (a join does not keep it): row_number() OVER () is a streaming window over the
    # view as it comes, numbering the rows as fetchdf would index them.
    positioned = f"SELECT *, row_number() OVER () - 1 AS {POSITION} FROM ({sql})"

    def select(picked: str) -> str:
        return f"SELECT v.* FROM ({positioned}) AS v SEMI JOIN ({picked}) AS d ON {match} ORDER BY v.{POSITION}"

    if duplicated_rows <= CHUNK_ROWS:
        selections = [select(groups)]
    else:
        numbered = (
            f"SELECT *, (sum(n) OVER (ORDER BY {key} ROWS UNBOUNDED PRECEDING) - n) // {CHUNK_ROWS} AS batch "
            f"FROM ({groups})"
        )
        batches = conn.execute(f"SELECT DISTINCT batch FROM ({numbered}) ORDER BY batch").fetchall()
        selections = [select(f"SELECT * FROM ({numbered}) WHERE batch = {b}") for (b,) in batches]
    for selection in selections:
        frame = fetch_frame(conn, selection)
        frame = frame.set_axis(pd.Index(frame.pop(POSITION).to_numpy()))  # indexed as in the whole frame
        conformed = _conform(frame, template.dtypes)  # dtypes only matter for the sample values here
        merged.add(_evaluate(frame if conformed is None else conformed, suite, [index])[index])
    return merged.outcome()


def _validate_large(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite, rows: int) -> SuiteResult:
    shape = _whole_dtypes(conn, sql, rows)
    if shape is None:
        return validate_frame(fetch_frame(conn, sql), suite)
    types, template = shape
    dtypes = template.dtypes

    kinds: dict[str, list[int]] = {"row": [], "count": [], "schema": [], "unique": [], "whole": []}
    for i, expectation in enumerate(suite.expectations):
        kinds[_kind(expectation, types)].append(i)
    outcomes: dict[int, tuple[Any, bool, dict]] = {}

    if kinds["row"]:
        merged = {i: _Merged(suite.expectations[i]) for i in kinds["row"]}
        seen, mismatch = 0, False
        with contextlib.closing(_batches(conn, sql)) as batches:
            for batch in batches:
                conformed = _conform(batch, dtypes)
                if conformed is None:
                    mismatch = True
                    break
                conformed = conformed.set_axis(pd.RangeIndex(seen, seen + len(conformed)))
                seen += len(conformed)
                for i, result in _evaluate(conformed, suite, kinds["row"]).items():
                    merged[i].add(result)
        if mismatch:  # a batch's dtypes differ from the whole frame's beyond nulls: evaluate it whole
            return validate_frame(fetch_frame(conn, sql), suite)
        if seen != rows:
            raise RuntimeError(f"{suite.name}: the view gave {seen} rows, counted {rows}")
        outcomes |= {i: m.outcome() for i, m in merged.items()}
    for frame, kind in ((pd.DataFrame(index=pd.RangeIndex(rows)), "count"), (template, "schema")):
        for i, r in _evaluate(frame, suite, kinds[kind]).items():
            outcomes[i] = (r.expectation_config, r.success, r.result or {})
    for i in kinds["unique"]:
        outcomes[i] = _unique_outcome(conn, sql, suite, i, types, template)
    if kinds["whole"]:
        for i, r in _evaluate(fetch_frame(conn, sql), suite, kinds["whole"]).items():
            outcomes[i] = (r.expectation_config, r.success, r.result or {})

    failures = [
        _failure(config, details)
        for config, success, details in (outcomes[i] for i in _gx_order(suite.expectations, range(len(outcomes))))
        if not success
    ]
    return SuiteResult(suite.name, rows, len(outcomes), failures)


def validate_query(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite) -> SuiteResult:
    """`validate_frame(conn.execute(sql).fetchdf(), suite)` in memory bounded by CHUNK_ROWS rows.

    A view of at most CHUNK_ROWS rows is validated exactly that way. A larger one is never held whole;
    every expectation is still evaluated by GX and its verdict, unexpected count and sample rows are
    those of the whole frame:
    - row-wise (ROW_WISE) on batches of CHUNK_ROWS rows streamed from DuckDB, unexpected counts summed,
      samples the first SAMPLE_ROWS offending rows in view order, success by GX's rule on the sums;
    - the row count (ROW_COUNT) on a column-less frame of the view's true row count;
    - column names (SCHEMA) on the view's empty frame;
    - uniqueness (UNIQUE) on the rows whose key is duplicated, selected in SQL;
    - anything else on the whole frame, fetched once, as before (exact; memory as before).

    A suite with `sql_rules` is not given to great-expectations at all: pipeline.sql_rules evaluates it in
    DuckDB with the same result (one aggregate query, and a sample query per failed rule).
    """
    if suite.sql_rules:
        from pipeline import sql_rules  # imported here: it builds on this module

        return sql_rules.validate(conn, sql, suite)
    rows = conn.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    if rows <= CHUNK_ROWS:
        return validate_frame(fetch_frame(conn, sql), suite)
    return _validate_large(conn, sql, suite, rows)


def row_count_expectation(previous_rows: int, tolerance: float, min_rows: int = 1) -> Any:
    """Rows plausible against the previous load of the same scope: within ±tolerance of it
    (a first load needs at least `min_rows`)."""
    if previous_rows <= 0:
        return gxe.ExpectTableRowCountToBeBetween(min_value=min_rows)
    return gxe.ExpectTableRowCountToBeBetween(
        min_value=max(min_rows, math.floor(previous_rows * (1 - tolerance))),
        max_value=math.ceil(previous_rows * (1 + tolerance)) + 1,
    )
