"""great-expectations suites and their evaluation, independent of Dagster.

A `Suite` pairs a SQL view of a warehouse table (evaluated on the table itself, inside the load's
transaction) with GX expectations. `validate_frame` runs it and returns every failed rule with the
offending records, which the Dagster check result then shows.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import pycountry
from great_expectations.data_context.types.base import ProgressBarsConfig

SAMPLE_ROWS = 5

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


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    column: str | None
    unexpected_count: int | None
    sample: list[dict]
    observed: Any = None

    def describe(self) -> str:
        where = f"[{self.column}]" if self.column else ""
        count = f" ({self.unexpected_count} rows)" if self.unexpected_count else ""
        observed = f" observed={self.observed}" if self.observed is not None else ""
        return f"{self.rule}{where}{count}{observed}"


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    rows: int
    evaluated: int
    failures: list[RuleFailure] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failures


@functools.cache
def _batch_definition() -> Any:
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
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


def validate_frame(frame: pd.DataFrame, suite: Suite) -> SuiteResult:
    result_format: dict[str, Any] = {"result_format": "COMPLETE", "partial_unexpected_count": SAMPLE_ROWS}
    if suite.id_columns:
        result_format["unexpected_index_column_names"] = list(suite.id_columns)
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=list(suite.expectations))
    res = (
        _batch_definition()
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(gx_suite, result_format=result_format)
    )
    failures = []
    for r in res.results:
        if r.success:
            continue
        details = r.result or {}
        sample = details.get("unexpected_index_list") or [
            {"value": v} for v in (details.get("partial_unexpected_list") or [])
        ]
        failures.append(
            RuleFailure(
                rule=r.expectation_config.type,
                column=r.expectation_config.kwargs.get("column"),
                unexpected_count=details.get("unexpected_count"),
                sample=[{k: _clean(v) for k, v in row.items()} for row in sample[:SAMPLE_ROWS]],
                observed=_clean(details.get("observed_value")),
            )
        )
    return SuiteResult(suite.name, len(frame), len(res.results), failures)


def row_count_expectation(previous_rows: int, tolerance: float, min_rows: int = 1) -> Any:
    """Rows plausible against the previous load of the same scope: within ±tolerance of it
    (a first load needs at least `min_rows`)."""
    if previous_rows <= 0:
        return gxe.ExpectTableRowCountToBeBetween(min_value=min_rows)
    return gxe.ExpectTableRowCountToBeBetween(
        min_value=max(min_rows, math.floor(previous_rows * (1 - tolerance))),
        max_value=math.ceil(previous_rows * (1 + tolerance)) + 1,
    )
