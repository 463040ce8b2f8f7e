"""great-expectations suites of raw.worldbank_indicators (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import non_negative, not_null
from pipeline.validation import Suite, iso2_codes, iso3_codes, row_count_expectation


def raw_worldbank_indicators(
    previous: int, years: tuple[int, int], tolerance: float, indicators: Sequence[str]
) -> Sequence[Suite]:
    return [
        Suite(
            "raw.worldbank_indicators",
            "SELECT indicator, country_iso2, country_iso3, year, value FROM {table}",
            [
                *not_null("indicator", "country_iso2", "country_iso3", "year"),
                gxe.ExpectColumnValuesToBeInSet(column="indicator", value_set=list(indicators)),
                gxe.ExpectColumnValuesToBeInSet(column="country_iso2", value_set=iso2_codes()),
                # Aggregates (WLD, EUU, income groups) are not countries and never reach the table.
                gxe.ExpectColumnValuesToBeInSet(column="country_iso3", value_set=iso3_codes()),
                gxe.ExpectColumnValuesToBeBetween(column="year", min_value=years[0], max_value=years[1]),
                *non_negative("value"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["indicator", "country_iso3", "year"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["indicator", "country_iso3", "year"],
        ),
        Suite(
            "raw.worldbank_indicators:rd_share",
            "SELECT country_iso3, year, value FROM {table} WHERE indicator = 'GB.XPD.RSDV.GD.ZS'",
            [gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100)],
            id_columns=["country_iso3", "year"],
        ),
    ]
