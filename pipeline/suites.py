"""great-expectations suites per warehouse table. `{table}` in a view is the rows being loaded.

Each function takes the row count of the previous load of the same scope (for the plausibility
rule) and returns the suites; the gate in pipeline.warehouse runs them inside the load's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.validation import Suite, iso2_codes, row_count_expectation

EPS = 1e-9
WORK_ID_REGEX = r"^https://openalex\.org/W\d+$"
ISSN_REGEX = r"^\d{4}-\d{3}[\dX]$"


def not_null(*columns: str) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def non_negative(*columns: str) -> list:
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in columns]


def core_works(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.works",
            "SELECT work_id, year, in_universe FROM {table}",
            [
                *not_null("work_id", "year", "in_universe"),
                gxe.ExpectColumnValuesToBeUnique(column="work_id"),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id"],
        )
    ]


def core_authorship_affiliations(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.authorship_affiliations",
            "SELECT work_id, author_idx, country, n_affiliations, n_authors FROM {table}",
            [
                *not_null("work_id", "author_idx", "country"),
                gxe.ExpectColumnValuesToBeInSet(column="country", value_set=[*iso2_codes(), "UNK"]),
                gxe.ExpectColumnValuesToBeBetween(column="n_affiliations", min_value=1),
                gxe.ExpectColumnValuesToBeBetween(column="n_authors", min_value=1),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id", "author_idx"],
        )
    ]


def core_work_countries(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.work_countries",
            "SELECT work_id, country FROM {table}",
            [
                gxe.ExpectColumnValuesToBeInSet(column="country", value_set=iso2_codes()),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "country"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id"],
        )
    ]


def core_work_country_shares(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.work_country_shares",
            "SELECT work_id, country, share FROM {table}",
            [
                gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1 + EPS),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id", "country"],
        ),
        Suite(
            "core.work_country_shares:per_paper",
            "SELECT work_id, sum(share) AS share_total FROM {table} GROUP BY work_id",
            [gxe.ExpectColumnValuesToBeBetween(column="share_total", min_value=1 - EPS, max_value=1 + EPS)],
            id_columns=["work_id"],
        ),
    ]


def no_checks(previous: int, tolerance: float) -> Sequence[Suite]:
    return []


def core_country_year(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.country_year",
            "SELECT country, year, paper_set, papers, intl_papers, share FROM {table}",
            [
                *not_null("country", "year", "paper_set", "papers", "intl_papers"),
                *non_negative("papers", "intl_papers", "share"),
                gxe.ExpectColumnValuesToBeInSet(column="country", value_set=iso2_codes()),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="papers", column_B="intl_papers", or_equal=True, ignore_row_if="either_value_is_missing"
                ),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country", "year", "paper_set"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country", "year", "paper_set"],
        )
    ]


def core_world_year(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.world_year",
            "SELECT year, paper_set, world_papers, world_intl_papers FROM {table}",
            [
                *non_negative("world_papers", "world_intl_papers"),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="world_papers",
                    column_B="world_intl_papers",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "paper_set"]),
            ],
            id_columns=["year", "paper_set"],
        )
    ]


def core_pair_year(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.pair_year",
            "SELECT p.country_a, p.country_b, p.year, p.paper_set, p.coauthored, p.share_a_joint, "
            "coalesce(c.papers, 0) AS papers_a FROM {table} AS p LEFT JOIN core.country_year AS c "
            "ON c.country = p.country_a AND c.year = p.year AND c.paper_set = p.paper_set",
            [
                *non_negative("coauthored", "share_a_joint"),
                gxe.ExpectColumnValuesToBeInSet(column="country_a", value_set=iso2_codes()),
                gxe.ExpectColumnValuesToBeInSet(column="country_b", value_set=iso2_codes()),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="papers_a", column_B="coauthored", or_equal=True, ignore_row_if="either_value_is_missing"
                ),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country_a", "country_b", "year", "paper_set"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country_a", "country_b", "year", "paper_set"],
        )
    ]


def core_pair_year_bootstrap(previous: int, tolerance: float) -> Sequence[Suite]:
    ci = ("collaboration_score", "observed_expected")
    return [
        Suite(
            "core.pair_year_bootstrap",
            "SELECT * FROM {table}",
            [
                *not_null("country_a", "country_b", "year", "paper_set", "replicates", "collaboration_score_ci_low"),
                *non_negative(*[f"{c}_ci_low" for c in ci]),
                *[
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=f"{c}_ci_high",
                        column_B=f"{c}_ci_low",
                        or_equal=True,
                        ignore_row_if="either_value_is_missing",
                    )
                    for c in ci
                ],
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country_a", "country_b", "year", "paper_set"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country_a", "country_b", "year", "paper_set"],
        )
    ]


def mart_bilateral_papers(previous: int, tolerance: float) -> Sequence[Suite]:
    unit = ("salton", "jaccard", "affinity")
    return [
        Suite(
            "mart.bilateral_papers",
            "SELECT *, coauthored + 1e-9 AS coauthored_tolerant FROM {table}",
            [
                *not_null("country_a", "country_b", "year", "paper_set", "coauthored", "source_mode"),
                *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1 + EPS) for c in unit],
                *non_negative("observed_expected", "collaboration_score"),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="coauthored_tolerant",
                    column_B="collaboration_score",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country_a", "country_b", "year", "paper_set"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country_a", "country_b", "year", "paper_set"],
        ),
        Suite(
            "mart.bilateral_papers:symmetry",
            "SELECT a.country_a, a.country_b, a.year, a.paper_set, b.country_a IS NULL AS mirror_missing, "
            "coalesce(abs(a.salton - b.salton), 0) AS salton_gap, "
            "coalesce(abs(a.collaboration_score - b.collaboration_score), 0) AS score_gap, "
            "coalesce(abs(a.observed_expected - b.observed_expected), 0) AS oe_gap "
            "FROM {table} AS a LEFT JOIN {table} AS b ON a.country_a = b.country_b AND a.country_b = b.country_a "
            "AND a.year = b.year AND a.paper_set = b.paper_set",
            [
                gxe.ExpectColumnValuesToBeInSet(column="mirror_missing", value_set=[False]),
                *[
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=EPS)
                    for c in ("salton_gap", "score_gap", "oe_gap")
                ],
            ],
            id_columns=["country_a", "country_b", "year", "paper_set"],
        ),
    ]


def mart_country_papers(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "mart.country_papers",
            "SELECT country, year, paper_set, papers, intl_papers, share FROM {table}",
            [
                *non_negative("papers", "intl_papers", "share"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country", "year", "paper_set"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country", "year", "paper_set"],
        )
    ]


def mart_papers_quality(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "mart.papers_quality",
            "SELECT year, source, works_seen, works_in_universe, share_authorships_no_country, "
            "truncated_author_lists, truncated_refetched FROM {table}",
            [
                *non_negative("works_seen", "works_in_universe"),
                gxe.ExpectColumnValuesToBeBetween(column="share_authorships_no_country", min_value=0, max_value=1),
                # Every truncated author list must have been re-read whole before Shares were computed.
                gxe.ExpectColumnPairValuesToBeEqual(column_A="truncated_author_lists", column_B="truncated_refetched"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "source"]),
            ],
            id_columns=["year", "source"],
        )
    ]
