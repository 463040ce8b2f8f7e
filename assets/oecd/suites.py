"""great-expectations suites of raw.oecd_observations (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.suites import iso3_countries, keyed_table, non_negative, not_null, select, year_range
from pipeline.validation import Suite, row_count_expectation


def raw_oecd_observations(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    key = ["destination_iso3", "origin_iso3", "year"]
    rules = [*not_null(*key, "dataflow"), *iso3_countries(*key[:2]), year_range(years), *non_negative("value")]
    view = select(*key, "value", "dataflow")
    return [keyed_table("raw.oecd_observations", view, key, rules, [row_count_expectation(previous, tolerance)])]
