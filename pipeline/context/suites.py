"""great-expectations suites of the context tables (same conventions as pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.breaks import SERIES_BASES, SIGNALS, TIE_SIGNALS
from pipeline.mobility.suites import INDEX_METHODS
from pipeline.suites import in_set, keyed_table, non_negative, not_null, select
from pipeline.validation import Suite, row_count_expectation


def core_country_context(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["country", "year"]
    then = [*non_negative("population", "rd_spend_usd", "researchers"), row_count_expectation(previous, tolerance)]
    view = select(*key, "population", "rd_spend_usd", "researchers")
    return [keyed_table("core.country_context", view, key, not_null(*key), then)]


def mart_country_normalised(previous: int, tolerance: float) -> Sequence[Suite]:
    # Share and papers, each per million people, per USD bn of R&D spend and per thousand researchers.
    per = [f"{m}_per_{d}" for d in ("million_people", "usd_bn_rd", "thousand_researchers") for m in ("share", "papers")]
    key = ["country", "year", "paper_set"]
    then = [
        *non_negative(*per),
        # Share ≤ papers: each paper gives a country at most 1 article-equivalent.
        gxe.ExpectColumnValuesToBeBetween(column="share_per_article", min_value=0, max_value=1 + 1e-9),
        row_count_expectation(previous, tolerance),
    ]
    view = select(*key, "share_per_article", *per)
    return [keyed_table("mart.country_normalised", view, key, not_null(*key), then)]


def mart_bilateral_dashboard(previous: int, tolerance: float) -> Sequence[Suite]:
    indexes = [
        "coauthored_index",
        "collaboration_score_index",
        "collaboration_score_nature_index_index",
        "students_a_to_b_index",
        "students_b_to_a_index",
        "passengers_a_to_b_index",
    ]
    methods = ["students_a_to_b_index_method", "students_b_to_a_index_method"]
    key = ["country_a", "country_b", "year"]
    then = [
        *non_negative("coauthored", *indexes),
        *in_set(INDEX_METHODS, *methods),
        row_count_expectation(previous, tolerance),
    ]
    view = select(*key, "coauthored", *indexes, *methods)
    return [keyed_table("mart.bilateral_dashboard", view, key, not_null(*key), then)]


def mart_bilateral_breaks(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["country_a", "country_b", "signal", "break_year"]
    view = (
        "SELECT *, n_before + n_after = n_points AS points_add_up, "
        "(slope_change IS NULL AND reason IS NULL) OR (found_break_year IS NULL AND found_break_reason IS NULL) "
        "AS unexplained_null, "
        # pipeline.trends needs three points a side: an estimate from fewer would be made up
        "(n_before < 3 OR n_after < 3) AND slope_change IS NOT NULL AS estimate_without_data "
        "FROM {table}"
    )
    then = [
        *in_set(SERIES_BASES, "series_basis"),
        *in_set([*SIGNALS, *TIE_SIGNALS], "signal"),
        *[
            gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
            for c in ("slope_change_p_value", "chow_p_value")
        ],
        *in_set([True], "points_add_up"),
        *in_set([False], "unexplained_null", "estimate_without_data"),
        row_count_expectation(previous, tolerance),
    ]
    return [
        keyed_table("mart.bilateral_breaks", view, key, not_null(*key, "n_points", "source_mode", "series_basis"), then)
    ]
