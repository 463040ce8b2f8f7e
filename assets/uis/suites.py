"""great-expectations suites of raw.uis_records (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.suites import in_set, iso3_countries, keyed_table, non_negative, not_null, select, year_range
from pipeline.validation import Suite, row_count_expectation

INDICATOR_KINDS = ["inbound_total", "outbound_total", "bilateral"]


def raw_uis_records(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    key = ["indicator_id", "geo_unit", "year"]
    rules = [
        *not_null("indicator_id", "indicator_kind", "geo_unit", "year", "source_version"),
        *in_set(INDICATOR_KINDS, "indicator_kind"),
        *iso3_countries("geo_unit", "origin_iso3"),
        year_range(years),
        *non_negative("value"),
    ]
    view = select("indicator_id", "indicator_kind", "origin_iso3", "geo_unit", "year", "value", "source_version")
    return [
        keyed_table("raw.uis_records", view, key, rules, [row_count_expectation(previous, tolerance)]),
        Suite(
            "raw.uis_records:bilateral_origin",
            "SELECT indicator_id, geo_unit, year, origin_iso3 FROM {table} WHERE indicator_kind = 'bilateral'",
            not_null("origin_iso3"),
            id_columns=key,
        ),
    ]
