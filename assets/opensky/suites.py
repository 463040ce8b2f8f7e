"""great-expectations suites of raw.opensky_arrivals (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import not_null
from pipeline.validation import Suite, row_count_expectation


def raw_opensky_arrivals(previous: int, tolerance: float, min_rows: int) -> Sequence[Suite]:
    return [
        Suite(
            "raw.opensky_arrivals",
            "SELECT airport_icao, icao24, first_seen, last_seen, window_begin, window_end FROM {table}",
            [
                *not_null("airport_icao", "icao24", "first_seen", "last_seen"),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="last_seen", column_B="first_seen", or_equal=True),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["airport_icao", "icao24", "first_seen"]),
                row_count_expectation(previous, tolerance, min_rows=min_rows),
            ],
            id_columns=["airport_icao", "icao24", "first_seen"],
        )
    ]
