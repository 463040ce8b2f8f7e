"""great-expectations suites of raw.opensky_arrivals (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import keyed_table, not_null, select
from pipeline.validation import Suite, row_count_expectation


def raw_opensky_arrivals(previous: int, tolerance: float, min_rows: int) -> Sequence[Suite]:
    key = ["airport_icao", "icao24", "first_seen"]
    rules = [
        *not_null(*key, "last_seen"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="last_seen", column_B="first_seen", or_equal=True),
    ]
    view = select(*key, "last_seen", "window_begin", "window_end")
    rows = row_count_expectation(previous, tolerance, min_rows=min_rows)
    return [keyed_table("raw.opensky_arrivals", view, key, rules, [rows])]
