"""great-expectations suites of the "what drives it" marts by field and by institution pair
(mart.bilateral_papers_by_field, mart.field_change, mart.institution_pairs; docs/methods.md#collaboration-by-field,
docs/methods.md#institution-pairs). Besides the key and range rules, each states the identity that ties it to
mart.bilateral_papers: the groups of a level, and the institution pairs of a year, add up to the pair's figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import EPS, PAIR_KEY, at_least, countries, in_set, keyed_table, non_negative, not_null, select
from pipeline.validation import Suite, row_count_expectation

LEVELS = ("field", "domain", "subject_group")
FIELD_KEY = [*PAIR_KEY, "level", "field_id"]
CHANGE_KEY = ["country_a", "country_b", "paper_set", "level", "field_id"]
INSTITUTION_KEY = [*PAIR_KEY, "institution_a_key", "institution_b_key"]
# Relative gap allowed between a sum of float pieces and the same total summed another way.
SUM_TOLERANCE = 1e-9


def _gap_rules(*columns: str) -> list:
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=SUM_TOLERANCE) for c in columns]


def mart_bilateral_papers_by_field(previous: int, tolerance: float) -> Sequence[Suite]:
    unit = ("salton", "jaccard", "affinity")
    rules = [
        *not_null(*FIELD_KEY, "field", "coauthored", "share_a_joint", "method", "source_mode"),
        *in_set(LEVELS, "level"),
        *countries("country_a", "country_b"),
        *non_negative("coauthored", "papers_a", "intl_papers_a", "share_a", "observed_expected"),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1 + EPS) for c in unit],
        at_least("papers_a", "coauthored"),
        at_least("coauthored_tolerant", "collaboration_score"),
    ]
    view = "SELECT *, coauthored + 1e-9 AS coauthored_tolerant FROM {table}"
    rows = row_count_expectation(previous, tolerance)
    # Each level partitions the pair's joint papers: its groups add up to mart.bilateral_papers (records basis).
    sums = (
        "WITH s AS (SELECT country_a, country_b, year, paper_set, level, sum(coauthored) AS coauthored, "
        "sum(collaboration_score) AS score FROM {table} GROUP BY ALL) "
        "SELECT s.*, abs(s.coauthored - b.coauthored) AS coauthored_gap, "
        "abs(s.score - b.collaboration_score) / greatest(1, b.collaboration_score) AS score_gap "
        "FROM s JOIN mart.bilateral_papers AS b USING (country_a, country_b, year, paper_set) "
        "WHERE b.count_basis = 'records' AND (s.level <> 'subject_group' OR s.paper_set = 'nature_index')"
    )
    return [
        keyed_table("mart.bilateral_papers_by_field", view, FIELD_KEY, rules, [rows]),
        Suite(
            "mart.bilateral_papers_by_field:sums",
            sums,
            _gap_rules("coauthored_gap", "score_gap"),
            id_columns=[*PAIR_KEY, "level"],
        ),
    ]


def mart_field_change(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [
        *not_null(*CHANGE_KEY, "rank", "break_year"),
        *in_set(LEVELS, "level"),
        gxe.ExpectColumnValuesToBeBetween(column="rank", min_value=1),
        *non_negative("coauthored_before", "coauthored_after", "collaboration_score_before"),
        gxe.ExpectColumnValuesToBeBetween(column="coauthored_change_pct", min_value=-1 - EPS),
    ]
    view = select(
        *CHANGE_KEY,
        "rank",
        "break_year",
        "coauthored_before",
        "coauthored_after",
        "collaboration_score_before",
        "coauthored_change_pct",
    )
    return [keyed_table("mart.field_change", view, CHANGE_KEY, rules, [row_count_expectation(previous, tolerance)])]


def mart_institution_pairs(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [
        *not_null(*PAIR_KEY, "rank", "joint_papers", "collaboration_score_contribution"),
        *countries("country_a", "country_b"),
        gxe.ExpectColumnValuesToBeBetween(column="joint_papers", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="rank", min_value=1),
        *non_negative("collaboration_score_contribution"),
        at_least("joint_papers_tolerant", "collaboration_score_contribution"),
    ]
    view = (
        "SELECT *, coalesce(institution_a_id, '') AS institution_a_key, coalesce(institution_b_id, '') "
        "AS institution_b_key, joint_papers + 1e-9 AS joint_papers_tolerant FROM {table}"
    )
    # The institution pairs of a focus pair's year add up to its collaboration score in mart.bilateral_papers.
    identity = (
        "WITH s AS (SELECT country_a, country_b, year, paper_set, sum(collaboration_score_contribution) AS score "
        "FROM {table} GROUP BY ALL) "
        "SELECT b.country_a, b.country_b, b.year, b.paper_set, "
        "abs(coalesce(s.score, 0) - b.collaboration_score) / greatest(1, b.collaboration_score) AS score_gap "
        "FROM mart.bilateral_papers AS b LEFT JOIN s USING (country_a, country_b, year, paper_set) "
        "WHERE list_contains(getvariable('focus'), b.country_a) AND list_contains(getvariable('focus'), b.country_b) "
        "AND b.collaboration_score IS NOT NULL"
    )
    rows = row_count_expectation(previous, tolerance)
    return [
        keyed_table("mart.institution_pairs", view, INSTITUTION_KEY, rules, [rows], ids=[*PAIR_KEY, "rank"]),
        Suite("mart.institution_pairs:score_identity", identity, _gap_rules("score_gap"), id_columns=PAIR_KEY),
    ]
