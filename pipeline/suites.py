"""great-expectations suites per warehouse table. `{table}` in a view is the rows being loaded.

Each function takes the row count of the previous load of the same scope (for the plausibility
rule) and returns the suites; the gate in pipeline.warehouse runs them inside the load's transaction.
The builders here (`keyed_table`, `select`, `countries`, `year_range`, `at_least`, ...) are the shared
conventions every suite module uses, so that a suite states only its own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import great_expectations.expectations as gxe

from pipeline.validation import Suite, iso2_codes, iso3_codes, row_count_expectation

EPS = 1e-9
WORK_ID_REGEX = r"^https://openalex\.org/W\d+$"
ISSN_REGEX = r"^\d{4}-\d{3}[\dX]$"


def not_null(*columns: str) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def non_negative(*columns: str) -> list:
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in columns]


def in_set(value_set: Sequence[Any], *columns: str) -> list:
    return [gxe.ExpectColumnValuesToBeInSet(column=c, value_set=list(value_set)) for c in columns]


def countries(*columns: str) -> list:
    """ISO 3166-1 alpha-2 country codes (Kosovo's XK included)."""
    return in_set(iso2_codes(), *columns)


def iso3_countries(*columns: str) -> list:
    """ISO 3166-1 alpha-3 country codes; aggregates and regions are not countries."""
    return in_set(iso3_codes(), *columns)


def year_range(years: tuple[int, int], column: str = "year") -> Any:
    """Years within the run's bounds (COLLAB_YEARS as the run passes them)."""
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=years[0], max_value=years[1])


def unique(*key: str) -> Any:
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(key))


def select(*columns: str) -> str:
    """The view of a suite that reads the loaded rows' own columns (or expressions over them)."""
    return f"SELECT {', '.join(columns)} FROM {{table}}"


def keyed_table(
    name: str,
    view_sql: str,
    key: Sequence[str],
    rules: Sequence[Any] = (),
    then: Sequence[Any] = (),
    ids: Sequence[str] | None = None,
) -> Suite:
    """The usual suite of a table with a natural key: its `rules`, the key unique, the rules `then`
    (those the suite states after the key, usually the row-count plausibility rule). A failing row is
    identified by its key unless `ids` names other columns (e.g. the source file's line)."""
    return Suite(name, view_sql, [*rules, unique(*key), *then], id_columns=list(key if ids is None else ids))


def at_least(column_a: str, column_b: str, **options: Any) -> Any:
    """column_a ≥ column_b on every row where both are known."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a, column_B=column_b, or_equal=True, ignore_row_if="either_value_is_missing", **options
    )


# The key of the pair tables: a directed country pair, a year and a paper set.
PAIR_KEY = ["country_a", "country_b", "year", "paper_set"]
COUNTRY_YEAR_KEY = ["country", "year", "paper_set"]


def core_works(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.works",
            select("work_id", "year", "in_universe"),
            [
                *not_null("work_id", "year", "in_universe"),
                gxe.ExpectColumnValuesToBeUnique(column="work_id"),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id"],
            sql_rules=True,
        )
    ]


def core_authorship_affiliations(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.authorship_affiliations",
            select("work_id", "author_idx", "country", "n_affiliations", "n_authors"),
            [
                *not_null("work_id", "author_idx", "country"),
                *in_set([*iso2_codes(), "UNK"], "country"),
                gxe.ExpectColumnValuesToBeBetween(column="n_affiliations", min_value=1),
                gxe.ExpectColumnValuesToBeBetween(column="n_authors", min_value=1),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id", "author_idx"],
            sql_rules=True,
        )
    ]


def core_work_countries(previous: int, tolerance: float) -> Sequence[Suite]:
    view, rows = select("work_id", "country"), row_count_expectation(previous, tolerance)
    suite = keyed_table("core.work_countries", view, ["work_id", "country"], countries("country"), [rows], ["work_id"])
    return [replace(suite, sql_rules=True)]


def core_work_country_shares(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.work_country_shares",
            select("work_id", "country", "share"),
            [
                gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1 + EPS),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id", "country"],
            sql_rules=True,
        ),
        Suite(
            "core.work_country_shares:per_paper",
            "SELECT work_id, sum(share) AS share_total FROM {table} GROUP BY work_id",
            [gxe.ExpectColumnValuesToBeBetween(column="share_total", min_value=1 - EPS, max_value=1 + EPS)],
            id_columns=["work_id"],
            sql_rules=True,
        ),
    ]


def no_checks(previous: int, tolerance: float) -> Sequence[Suite]:
    return []


def core_country_year(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [
        *not_null(*COUNTRY_YEAR_KEY, "papers", "intl_papers"),
        *non_negative("papers", "intl_papers", "share"),
        *countries("country"),
        at_least("papers", "intl_papers"),
    ]
    view = select(*COUNTRY_YEAR_KEY, "papers", "intl_papers", "share")
    return [
        keyed_table("core.country_year", view, COUNTRY_YEAR_KEY, rules, [row_count_expectation(previous, tolerance)])
    ]


def core_world_year(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [*non_negative("world_papers", "world_intl_papers"), at_least("world_papers", "world_intl_papers")]
    view = select("year", "paper_set", "world_papers", "world_intl_papers")
    return [keyed_table("core.world_year", view, ["year", "paper_set"], rules)]


def core_pair_year(previous: int, tolerance: float) -> Sequence[Suite]:
    view = (
        "SELECT p.country_a, p.country_b, p.year, p.paper_set, p.coauthored, p.share_a_joint, "
        "coalesce(c.papers, 0) AS papers_a FROM {table} AS p LEFT JOIN core.country_year AS c "
        "ON c.country = p.country_a AND c.year = p.year AND c.paper_set = p.paper_set"
    )
    rules = [
        *non_negative("coauthored", "share_a_joint"),
        *countries("country_a", "country_b"),
        at_least("papers_a", "coauthored"),
    ]
    return [keyed_table("core.pair_year", view, PAIR_KEY, rules, [row_count_expectation(previous, tolerance)])]


def core_pair_year_bootstrap(previous: int, tolerance: float) -> Sequence[Suite]:
    ci = ("collaboration_score", "observed_expected")
    rules = [
        *not_null(*PAIR_KEY, "replicates", "collaboration_score_ci_low"),
        *non_negative(*[f"{c}_ci_low" for c in ci]),
        *[at_least(f"{c}_ci_high", f"{c}_ci_low") for c in ci],
    ]
    rows = row_count_expectation(previous, tolerance)
    return [keyed_table("core.pair_year_bootstrap", "SELECT * FROM {table}", PAIR_KEY, rules, [rows])]


def mart_bilateral_papers(previous: int, tolerance: float) -> Sequence[Suite]:
    unit = ("salton", "jaccard", "affinity")
    rules = [
        *not_null(*PAIR_KEY, "coauthored", "source_mode"),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1 + EPS) for c in unit],
        *non_negative("observed_expected", "collaboration_score"),
        at_least("coauthored_tolerant", "collaboration_score"),
    ]
    view = "SELECT *, coauthored + 1e-9 AS coauthored_tolerant FROM {table}"
    return [
        keyed_table("mart.bilateral_papers", view, PAIR_KEY, rules, [row_count_expectation(previous, tolerance)]),
        Suite(
            "mart.bilateral_papers:symmetry",
            "SELECT a.country_a, a.country_b, a.year, a.paper_set, b.country_a IS NULL AS mirror_missing, "
            "coalesce(abs(a.salton - b.salton), 0) AS salton_gap, "
            "coalesce(abs(a.collaboration_score - b.collaboration_score), 0) AS score_gap, "
            "coalesce(abs(a.observed_expected - b.observed_expected), 0) AS oe_gap "
            "FROM {table} AS a LEFT JOIN {table} AS b ON a.country_a = b.country_b AND a.country_b = b.country_a "
            "AND a.year = b.year AND a.paper_set = b.paper_set",
            [
                *in_set([False], "mirror_missing"),
                *[
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=EPS)
                    for c in ("salton_gap", "score_gap", "oe_gap")
                ],
            ],
            id_columns=list(PAIR_KEY),
        ),
    ]


def mart_country_papers(previous: int, tolerance: float) -> Sequence[Suite]:
    rules, rows = non_negative("papers", "intl_papers", "share"), row_count_expectation(previous, tolerance)
    view = select(*COUNTRY_YEAR_KEY, "papers", "intl_papers", "share")
    return [keyed_table("mart.country_papers", view, COUNTRY_YEAR_KEY, rules, [rows])]


def mart_papers_quality(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [
        *non_negative("works_seen", "works_in_universe"),
        gxe.ExpectColumnValuesToBeBetween(column="share_authorships_no_country", min_value=0, max_value=1),
        # Every truncated author list must have been re-read whole before Shares were computed.
        gxe.ExpectColumnPairValuesToBeEqual(column_A="truncated_author_lists", column_B="truncated_refetched"),
    ]
    view = (
        "SELECT year, source, works_seen, works_in_universe, share_authorships_no_country, "
        "truncated_author_lists, truncated_refetched FROM {table}"
    )
    return [keyed_table("mart.papers_quality", view, ["year", "source"], rules)]
