"""Break estimates for every dashboard series: pure functions from yearly values to one row per
(pair, signal, break year), built on pipeline.trends. No Dagster, no DuckDB.

Regressions run on log values (indices.md §7: slopes read as growth e^b − 1); zeros and NULLs have no log
and are left out, so `n_points` says how many years each estimate rests on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict

import polars as pl

from pipeline.trends import cagr, find_break, segmented_regression

# The dashboard columns that are series of their own (mart.bilateral_dashboard).
SIGNALS = (
    "coauthored",
    "collaboration_score",
    "collaboration_score_nature_index",
    "observed_expected",
    "students_a_to_b",
    "students_b_to_a",
    "passengers_a_to_b",
)

BREAKS_SCHEMA: dict[str, pl.DataType] = {
    "country_a": pl.String,
    "country_b": pl.String,
    "signal": pl.String,
    "break_year": pl.Int32,
    "first_year": pl.Int32,
    "last_year": pl.Int32,
    "n_points": pl.Int32,
    "n_before": pl.Int32,
    "n_after": pl.Int32,
    "value_at_break": pl.Float64,
    "value_last": pl.Float64,
    "change_since_break": pl.Float64,
    "cagr_before": pl.Float64,
    "cagr_after": pl.Float64,
    "slope_before": pl.Float64,
    "slope_after": pl.Float64,
    "growth_before": pl.Float64,
    "growth_after": pl.Float64,
    "slope_change": pl.Float64,
    "slope_change_p_value": pl.Float64,
    "level_change": pl.Float64,
    "chow_f": pl.Float64,
    "chow_p_value": pl.Float64,
    "found_break_year": pl.Int32,
    "found_break_reason": pl.String,
    "reason": pl.String,
}


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def series_breaks(values_by_year: Mapping[int, float | None], break_years: Sequence[int]) -> list[dict]:
    """One dict per break year (keys: BREAKS_SCHEMA without country_a, country_b, signal)."""
    known = {y: float(v) for y, v in values_by_year.items() if _finite(v)}
    logs = {y: math.log(v) for y, v in known.items() if v > 0}
    first, last = (min(known), max(known)) if known else (None, None)
    found, found_reason = find_break(logs)
    rows = []
    for tau in break_years:
        fit = asdict(segmented_regression(logs, tau))
        at_break, at_last = known.get(tau), known.get(last) if last is not None else None
        rows.append(
            {
                "break_year": tau,
                "first_year": first,
                "last_year": last,
                "n_points": fit["n_points"],
                "n_before": fit["n_before"],
                "n_after": fit["n_after"],
                "value_at_break": at_break,
                "value_last": at_last,
                "change_since_break": at_last / at_break - 1
                if at_break and at_last is not None and last > tau
                else None,
                "cagr_before": cagr(known, first, tau) if first is not None and first < tau else None,
                "cagr_after": cagr(known, tau, last) if last is not None and last > tau else None,
                "slope_before": fit["slope_before"],
                "slope_after": fit["slope_after"],
                "growth_before": math.expm1(fit["slope_before"]) if fit["slope_before"] is not None else None,
                "growth_after": math.expm1(fit["slope_after"]) if fit["slope_after"] is not None else None,
                "slope_change": fit["slope_change"],
                "slope_change_p_value": fit["slope_change_p_value"],
                "level_change": fit["level_change"],
                "chow_f": fit["chow_f"],
                "chow_p_value": fit["chow_p_value"],
                "found_break_year": found,
                "found_break_reason": found_reason,
                "reason": fit["reason"],
            }
        )
    return rows


def breaks_frame(dashboard: pl.DataFrame, break_years: Sequence[int], signals: Sequence[str] = SIGNALS) -> pl.DataFrame:
    """Every (country_a, country_b, signal) series of `dashboard` (one row per pair and year) through
    `series_breaks`: one row per (country_a, country_b, signal, break year)."""
    long = dashboard.unpivot(
        index=["country_a", "country_b", "year"], on=list(signals), variable_name="signal", value_name="value"
    ).with_columns(pl.col("value").cast(pl.Float64))
    series = long.group_by("country_a", "country_b", "signal").agg(pl.col("year"), pl.col("value"))
    # One fit per series (a few hundred pairs × signals), not per row: statsmodels is the unit of work.
    rows = [
        {"country_a": s["country_a"], "country_b": s["country_b"], "signal": s["signal"], **row}
        for s in series.iter_rows(named=True)
        for row in series_breaks(dict(zip(s["year"], s["value"], strict=True)), break_years)
    ]
    return pl.DataFrame(rows, schema=BREAKS_SCHEMA).sort("country_a", "country_b", "signal", "break_year")
