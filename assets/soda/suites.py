"""great-expectations suites of raw.soda_passengers (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.flights.suites import months
from pipeline.suites import keyed_table, non_negative, not_null, select, year_range
from pipeline.validation import Suite, row_count_expectation


def raw_soda_passengers(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    rules = [
        *not_null("year", "month", "usg_apt", "fg_apt", "carrier", "total"),
        *months(),
        year_range(years),
        *non_negative("scheduled", "charter", "total"),
    ]
    view = select("year", "month", "usg_apt", "fg_apt", "carrier", "scheduled", "charter", "total")
    key, ids = ["carrier", "usg_apt", "fg_apt", "year", "month"], ["usg_apt", "fg_apt", "carrier", "year", "month"]
    return [keyed_table("raw.soda_passengers", view, key, rules, [row_count_expectation(previous, tolerance)], ids)]
