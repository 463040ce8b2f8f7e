"""Break estimates for every dashboard series: pure functions from yearly values to one row per
(pair, signal, break year), built on pipeline.trends. No Dagster, no DuckDB.

Regressions run on log values (docs/methods.md#segmented-regression-at-a-known-break: slopes read as
growth e^b − 1); zeros and NULLs have no log and are left out, so `n_points` says how many years each
estimate rests on.

A series is never spliced from sources or modes (docs/methods.md#breaks-martbilateral_breaks): when
every value of a signal has one provenance, the estimates use the levels (`series_basis` 'level'); when the
levels switch sources (the best student series), they use the signal's chain-linked index instead
('chain_linked_index': every ratio within a source, NULL after a switch without an overlap year); a mixed
series without such an index gets no estimates ('mixed_sources').
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
# The focus pairs' tie series (mart.collaboration_ties, via `ties_series`): new author pairs and the share of
# joint papers with a repeat pair (docs/methods.md#breaks-martbilateral_breaks).
TIE_SIGNALS = ("new_tie_pairs", "share_papers_with_repeat_pair")
# The dashboard column naming each signal's source and mode, year by year.
PROVENANCE = {
    "new_tie_pairs": "ties_provenance",
    "share_papers_with_repeat_pair": "ties_provenance",
    "coauthored": "papers_provenance",
    "collaboration_score": "papers_provenance",
    "collaboration_score_nature_index": "papers_provenance",
    "observed_expected": "papers_provenance",
    "students_a_to_b": "students_a_to_b_provenance",
    "students_b_to_a": "students_b_to_a_provenance",
    "passengers_a_to_b": "passengers_provenance",
}
# Signals whose levels may switch sources, with their chain-linked index (mart.student_mobility_best).
LINKED_INDEX = {"students_a_to_b": "students_a_to_b_index", "students_b_to_a": "students_b_to_a_index"}
SERIES_BASES = ("level", "chain_linked_index", "mixed_sources")


def input_columns(signals: Sequence[str] = SIGNALS) -> list[str]:
    """The dashboard columns breaks_frame reads for `signals`."""
    extra = [m[s] for m in (PROVENANCE, LINKED_INDEX) for s in signals if s in m]
    return ["country_a", "country_b", "year", *dict.fromkeys([*signals, *extra])]


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
    "series_basis": pl.String,
    "provenance": pl.String,
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


def _series_values(
    years: Sequence[int], levels: Sequence, provenances: Sequence, linked: Sequence | None
) -> tuple[dict[int, float | None], str, str | None, str | None]:
    """(values by year, series_basis, provenance of the values used, reason) of one series: its levels when
    they have one provenance, else its chain-linked index when it has one, else nothing."""
    used = {p for v, p in zip(levels, provenances, strict=True) if _finite(v)}
    if len(used) <= 1:
        return dict(zip(years, levels, strict=True)), "level", next(iter(used), None), None
    if linked is not None:
        values = dict(zip(years, linked, strict=True))
        linked_from = {p for v, p in zip(linked, provenances, strict=True) if _finite(v)}
        return values, "chain_linked_index", "; ".join(sorted(linked_from)) or None, None
    reason = f"the series switches sources ({'; '.join(sorted(used))}) and has no chain-linked index"
    return {}, "mixed_sources", "; ".join(sorted(used)), reason


def ties_series(ties: pl.DataFrame) -> pl.DataFrame:
    """mart.collaboration_ties rows as series for `breaks_frame(…, signals=TIE_SIGNALS)`: one row per pair and
    year with `new_tie_pairs` (new_pairs), `share_papers_with_repeat_pair` and `ties_provenance`. Years flagged
    history_censored are NULL: their look-back window starts before the data, so every tie of them looks new and
    a fit through them would show the end of the censoring as a break."""
    censored = pl.col("history_censored").fill_null(True)
    provenance = pl.format(
        "{} (mart.collaboration_ties, {}; history-censored years left out)", pl.col("source"), pl.col("source_mode")
    )
    return ties.select(
        "country_a",
        "country_b",
        "year",
        pl.when(censored).then(None).otherwise(pl.col("new_pairs")).cast(pl.Float64).alias("new_tie_pairs"),
        pl.when(censored)
        .then(None)
        .otherwise(pl.col("share_papers_with_repeat_pair"))
        .cast(pl.Float64)
        .alias("share_papers_with_repeat_pair"),
        provenance.alias("ties_provenance"),
    )


def breaks_frame(dashboard: pl.DataFrame, break_years: Sequence[int], signals: Sequence[str] = SIGNALS) -> pl.DataFrame:
    """Every (country_a, country_b, signal) series of `dashboard` (one row per pair and year) through
    `series_breaks`: one row per (country_a, country_b, signal, break year). A signal's provenance column
    (PROVENANCE) decides whether its levels are one series; a frame without it is taken as one source."""
    frames = []
    for signal in signals:
        provenance = PROVENANCE.get(signal)
        linked = LINKED_INDEX.get(signal)
        frames.append(
            dashboard.select(
                "country_a",
                "country_b",
                "year",
                pl.lit(signal).alias("signal"),
                pl.col(signal).cast(pl.Float64).alias("value"),
                (pl.col(provenance) if provenance in dashboard.columns else pl.lit(None)).cast(pl.String).alias("prov"),
                (pl.col(linked) if linked in dashboard.columns else pl.lit(None)).cast(pl.Float64).alias("linked"),
            )
        )
    series = (
        pl.concat(frames)
        .sort("year")
        .group_by("country_a", "country_b", "signal")
        .agg(pl.col("year"), pl.col("value"), pl.col("prov"), pl.col("linked"))
    )
    # One fit per series (a few hundred pairs × signals), not per row: statsmodels is the unit of work.
    rows = []
    for s in series.iter_rows(named=True):
        has_linked = s["signal"] in LINKED_INDEX and LINKED_INDEX[s["signal"]] in dashboard.columns
        values, basis, provenance, reason = _series_values(
            s["year"], s["value"], s["prov"], s["linked"] if has_linked else None
        )
        for row in series_breaks(values, break_years):
            row |= {"series_basis": basis, "provenance": provenance}
            if reason is not None:
                row["reason"] = reason
            rows.append({"country_a": s["country_a"], "country_b": s["country_b"], "signal": s["signal"], **row})
    return pl.DataFrame(rows, schema=BREAKS_SCHEMA).sort("country_a", "country_b", "signal", "break_year")
