"""great-expectations suites of raw.uis_records (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import non_negative, not_null
from pipeline.validation import Suite, iso3_codes, row_count_expectation

INDICATOR_KINDS = ["inbound_total", "outbound_total", "bilateral"]


def raw_uis_records(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "raw.uis_records",
            "SELECT indicator_id, indicator_kind, origin_iso3, geo_unit, year, value, source_version FROM {table}",
            [
                *not_null("indicator_id", "indicator_kind", "geo_unit", "year", "source_version"),
                gxe.ExpectColumnValuesToBeInSet(column="indicator_kind", value_set=INDICATOR_KINDS),
                gxe.ExpectColumnValuesToBeInSet(column="geo_unit", value_set=iso3_codes()),
                gxe.ExpectColumnValuesToBeInSet(column="origin_iso3", value_set=iso3_codes()),
                gxe.ExpectColumnValuesToBeBetween(column="year", min_value=years[0], max_value=years[1]),
                *non_negative("value"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["indicator_id", "geo_unit", "year"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["indicator_id", "geo_unit", "year"],
        ),
        Suite(
            "raw.uis_records:bilateral_origin",
            "SELECT indicator_id, geo_unit, year, origin_iso3 FROM {table} WHERE indicator_kind = 'bilateral'",
            [gxe.ExpectColumnValuesToNotBeNull(column="origin_iso3")],
            id_columns=["indicator_id", "geo_unit", "year"],
        ),
    ]
