"""great-expectations suites of raw.worldbank_indicators (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import countries, in_set, iso3_countries, keyed_table, non_negative, not_null, select, year_range
from pipeline.validation import Suite, row_count_expectation


def raw_worldbank_indicators(
    previous: int, years: tuple[int, int], tolerance: float, indicators: Sequence[str]
) -> Sequence[Suite]:
    rules = [
        *not_null("indicator", "country_iso2", "country_iso3", "year"),
        *in_set(indicators, "indicator"),
        *countries("country_iso2"),
        # Aggregates (WLD, EUU, income groups) are not countries and never reach the table.
        *iso3_countries("country_iso3"),
        year_range(years),
        *non_negative("value"),
    ]
    view = select("indicator", "country_iso2", "country_iso3", "year", "value")
    key = ["indicator", "country_iso3", "year"]
    return [
        keyed_table("raw.worldbank_indicators", view, key, rules, [row_count_expectation(previous, tolerance)]),
        Suite(
            "raw.worldbank_indicators:rd_share",
            "SELECT country_iso3, year, value FROM {table} WHERE indicator = 'GB.XPD.RSDV.GD.ZS'",
            [gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100)],
            id_columns=["country_iso3", "year"],
        ),
    ]
