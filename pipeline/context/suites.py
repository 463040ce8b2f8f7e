"""great-expectations suites of the context tables (same conventions as pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.breaks import SERIES_BASES
from pipeline.mobility.suites import INDEX_METHODS
from pipeline.suites import non_negative, not_null
from pipeline.validation import Suite, row_count_expectation


def core_country_context(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.country_context",
            "SELECT country, year, population, rd_spend_usd, researchers FROM {table}",
            [
                *not_null("country", "year"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country", "year"]),
                *non_negative("population", "rd_spend_usd", "researchers"),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country", "year"],
        )
    ]


def mart_country_normalised(previous: int, tolerance: float) -> Sequence[Suite]:
    per = [
        "share_per_million_people",
        "papers_per_million_people",
        "share_per_usd_bn_rd",
        "papers_per_usd_bn_rd",
        "share_per_thousand_researchers",
        "papers_per_thousand_researchers",
    ]
    return [
        Suite(
            "mart.country_normalised",
            f"SELECT country, year, paper_set, share_per_article, {', '.join(per)} FROM {{table}}",
            [
                *not_null("country", "year", "paper_set"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country", "year", "paper_set"]),
                *non_negative(*per),
                # Share ≤ papers: each paper gives a country at most 1 article-equivalent.
                gxe.ExpectColumnValuesToBeBetween(column="share_per_article", min_value=0, max_value=1 + 1e-9),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country", "year", "paper_set"],
        )
    ]


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
    return [
        Suite(
            "mart.bilateral_dashboard",
            f"SELECT country_a, country_b, year, coauthored, {', '.join(indexes)}, {', '.join(methods)} FROM {{table}}",
            [
                *not_null("country_a", "country_b", "year"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country_a", "country_b", "year"]),
                *non_negative("coauthored", *indexes),
                *[gxe.ExpectColumnValuesToBeInSet(column=m, value_set=list(INDEX_METHODS)) for m in methods],
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country_a", "country_b", "year"],
        )
    ]


def mart_bilateral_breaks(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["country_a", "country_b", "signal", "break_year"]
    return [
        Suite(
            "mart.bilateral_breaks",
            "SELECT *, n_before + n_after = n_points AS points_add_up, "
            "(slope_change IS NULL AND reason IS NULL) OR (found_break_year IS NULL AND found_break_reason IS NULL) "
            "AS unexplained_null, "
            # pipeline.trends needs three points a side: an estimate from fewer would be made up
            "(n_before < 3 OR n_after < 3) AND slope_change IS NOT NULL AS estimate_without_data "
            "FROM {table}",
            [
                *not_null(*key, "n_points", "source_mode", "series_basis"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=key),
                gxe.ExpectColumnValuesToBeInSet(column="series_basis", value_set=list(SERIES_BASES)),
                *[
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
                    for c in ("slope_change_p_value", "chow_p_value")
                ],
                gxe.ExpectColumnValuesToBeInSet(column="points_add_up", value_set=[True]),
                gxe.ExpectColumnValuesToBeInSet(column="unexplained_null", value_set=[False]),
                gxe.ExpectColumnValuesToBeInSet(column="estimate_without_data", value_set=[False]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=key,
        )
    ]
