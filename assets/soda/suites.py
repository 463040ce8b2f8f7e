"""great-expectations suites of raw.soda_passengers (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.flights.suites import months
from pipeline.suites import non_negative, not_null
from pipeline.validation import Suite, row_count_expectation


def raw_soda_passengers(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "raw.soda_passengers",
            "SELECT year, month, usg_apt, fg_apt, carrier, scheduled, charter, total FROM {table}",
            [
                *not_null("year", "month", "usg_apt", "fg_apt", "carrier", "total"),
                *months(),
                gxe.ExpectColumnValuesToBeBetween(column="year", min_value=years[0], max_value=years[1]),
                *non_negative("scheduled", "charter", "total"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["carrier", "usg_apt", "fg_apt", "year", "month"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["usg_apt", "fg_apt", "carrier", "year", "month"],
        )
    ]
