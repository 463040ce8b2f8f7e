"""great-expectations suites of raw.oecd_observations (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import non_negative, not_null
from pipeline.validation import Suite, iso3_codes, row_count_expectation


def raw_oecd_observations(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "raw.oecd_observations",
            "SELECT destination_iso3, origin_iso3, year, value, dataflow FROM {table}",
            [
                *not_null("destination_iso3", "origin_iso3", "year", "dataflow"),
                gxe.ExpectColumnValuesToBeInSet(column="destination_iso3", value_set=iso3_codes()),
                gxe.ExpectColumnValuesToBeInSet(column="origin_iso3", value_set=iso3_codes()),
                gxe.ExpectColumnValuesToBeBetween(column="year", min_value=years[0], max_value=years[1]),
                *non_negative("value"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["destination_iso3", "origin_iso3", "year"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["destination_iso3", "origin_iso3", "year"],
        )
    ]
