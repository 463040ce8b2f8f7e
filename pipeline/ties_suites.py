"""great-expectations suites of the "what drives it" marts on people: mart.collaboration_ties and
mart.researcher_moves (docs/methods.md#new-versus-repeat-ties, #researchers-who-move). `{table}` in a view
is the rows being loaded; the builders are the shared ones of pipeline.suites."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import EPS, at_least, countries, in_set, keyed_table, non_negative, not_null
from pipeline.validation import Suite, row_count_expectation

TIES_KEY = ["country_a", "country_b", "year"]
TIES_COUNTS = (
    "joint_papers",
    "papers_excluded_large",
    "papers_excluded_truncated",
    "papers_with_pairs",
    "author_pairs",
    "new_pairs",
    "repeat_pairs",
    "papers_with_repeat_pair",
)
MOVES_KEY = ["origin_key", "destination_key", "year"]


def mart_collaboration_ties(previous: int, tolerance: float) -> Sequence[Suite]:
    """Counts known and non-negative, new + repeat = pairs, the paper counts nested, the share a
    fraction, the censoring flag consistent with the window, and the two orders of a pair equal."""
    rules = [
        *not_null(*TIES_KEY, *TIES_COUNTS, "history_censored", "method", "source_mode"),
        *non_negative(*TIES_COUNTS),
        gxe.ExpectColumnValuesToBeBetween(column="share_papers_with_repeat_pair", min_value=0, max_value=1 + EPS),
        *in_set([0], "pairs_gap"),
        *in_set([True], "censor_consistent"),
        at_least("eligible_papers", "papers_with_pairs"),
        at_least("papers_with_pairs", "papers_with_repeat_pair"),
    ]
    view = (
        "SELECT *, new_pairs + repeat_pairs - author_pairs AS pairs_gap, "
        "joint_papers - papers_excluded_large - papers_excluded_truncated AS eligible_papers, "
        "history_censored = (history_years < lookback_years) AS censor_consistent FROM {table}"
    )
    mirror = (
        "SELECT a.country_a, a.country_b, a.year, b.country_a IS NULL AS mirror_missing, "
        "(a.joint_papers, a.author_pairs, a.new_pairs, a.repeat_pairs, a.papers_with_repeat_pair) "
        "IS NOT DISTINCT FROM (b.joint_papers, b.author_pairs, b.new_pairs, b.repeat_pairs, "
        "b.papers_with_repeat_pair) AS mirror_equal "
        "FROM {table} AS a LEFT JOIN {table} AS b "
        "ON a.country_a = b.country_b AND a.country_b = b.country_a AND a.year = b.year"
    )
    return [
        keyed_table("mart.collaboration_ties", view, TIES_KEY, rules, [row_count_expectation(previous, tolerance)]),
        Suite(
            "mart.collaboration_ties:symmetry",
            mirror,
            [*in_set([False], "mirror_missing"), *in_set([True], "mirror_equal")],
            id_columns=list(TIES_KEY),
        ),
    ]


def mart_researcher_moves(previous: int, tolerance: float) -> Sequence[Suite]:
    """A move goes between two different known countries; returnees are among the movers; the counts
    are NULL exactly in live mode (which cannot see moves), with the reason in `method`."""
    rules = [
        *not_null("year", "method", "source_mode"),
        *countries("origin", "destination"),
        *non_negative("movers", "returnees"),
        gxe.ExpectColumnValuesToBeBetween(column="movers", min_value=1),
        at_least("movers", "returnees"),
        *in_set([True], "is_move", "null_iff_live"),
    ]
    view = (
        "SELECT *, coalesce(origin, '') AS origin_key, coalesce(destination, '') AS destination_key, "
        "coalesce(origin <> destination, source_mode = 'live') AS is_move, "
        "(movers IS NULL) = (source_mode = 'live') AS null_iff_live FROM {table}"
    )
    rows = row_count_expectation(previous, tolerance, min_rows=0)
    return [keyed_table("mart.researcher_moves", view, MOVES_KEY, rules, [rows], ["origin", "destination", "year"])]
