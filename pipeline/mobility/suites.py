"""great-expectations suites of the student-mobility tables (same conventions as pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.settings import MODES
from pipeline.suites import non_negative, not_null
from pipeline.validation import WARNING, Suite, iso2_codes, iso3_codes, row_count_expectation

INDICATOR_KINDS = ["inbound_total", "outbound_total", "bilateral"]
# How an index value of a series that may switch sources relates to its base (docs/methods.md):
# same source as the base row, chain-linked through overlap years, broken (no overlap at a switch), no base row.
INDEX_METHODS = ("same_source", "chain_linked", "broken", "no_base")
FIRST_SEED_YEAR = 1950  # Open Doors begins in 1948/49; anything earlier is a typo


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


def raw_open_doors(previous: int, last_year: int) -> Sequence[Suite]:
    return [
        Suite(
            "raw.open_doors",
            "SELECT origin, destination, academic_year_label, year, students, source_page, source_line FROM {table}",
            [
                *not_null("origin", "destination", "academic_year_label", "year", "students", "source_page"),
                gxe.ExpectColumnValuesToBeInSet(column="origin", value_set=iso2_codes()),
                gxe.ExpectColumnValuesToBeInSet(column="destination", value_set=iso2_codes()),
                gxe.ExpectColumnValuesToMatchRegex(column="academic_year_label", regex=r"^\d{4}/\d{2}$"),
                gxe.ExpectColumnValuesToBeBetween(column="year", min_value=FIRST_SEED_YEAR, max_value=last_year),
                gxe.ExpectColumnValuesToBeBetween(column="students", min_value=1),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["origin", "destination", "year"]),
            ],
            id_columns=["source_line", "academic_year_label"],
        )
    ]


def core_student_mobility(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.student_mobility",
            "SELECT origin, destination, year, source, students, origin = destination AS same_country FROM {table}",
            [
                *not_null("origin", "destination", "year", "source", "students"),
                gxe.ExpectColumnValuesToBeInSet(column="origin", value_set=iso2_codes()),
                gxe.ExpectColumnValuesToBeInSet(column="destination", value_set=iso2_codes()),
                gxe.ExpectColumnValuesToBeInSet(column="same_country", value_set=[False]),
                *non_negative("students"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["origin", "destination", "year", "source"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["origin", "destination", "year", "source"],
        )
    ]


def core_mobile_students(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.mobile_students",
            "SELECT country, year, source, inbound_students, outbound_students FROM {table}",
            [
                *not_null("country", "year", "source"),
                gxe.ExpectColumnValuesToBeInSet(column="country", value_set=iso2_codes()),
                *non_negative("inbound_students", "outbound_students"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country", "year", "source"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country", "year", "source"],
        )
    ]


def mart_student_mobility(previous: int, tolerance: float, max_yoy: float) -> Sequence[Suite]:
    return [
        Suite(
            "mart.student_mobility",
            "SELECT origin, destination, year, source, students, yoy_change, index_2018, source_mode FROM {table}",
            [
                *not_null("origin", "destination", "year", "source", "students", "source_mode"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["origin", "destination", "year", "source"]),
                gxe.ExpectColumnValuesToBeInSet(column="source_mode", value_set=[*MODES, "reference"]),
                # A count moving by more than COLLAB_MOBILITY_MAX_YOY in one year is often a unit, year or
                # code error upstream, but can be real (2020, small flows): a warning with the rows.
                gxe.ExpectColumnValuesToBeBetween(
                    column="yoy_change",
                    min_value=-max_yoy,
                    max_value=max_yoy,
                    severity=WARNING,
                    description="year-on-year change beyond COLLAB_MOBILITY_MAX_YOY; check the source",
                ),
                *non_negative("index_2018"),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["origin", "destination", "year", "source"],
        )
    ]


def mart_student_mobility_best(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "mart.student_mobility_best",
            "SELECT origin, destination, year, source, students, index_method FROM {table}",
            [
                *not_null("origin", "destination", "year", "source", "students", "index_method"),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["origin", "destination", "year"]),
                gxe.ExpectColumnValuesToBeInSet(column="index_method", value_set=list(INDEX_METHODS)),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["origin", "destination", "year"],
        )
    ]


def mart_mobile_students(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "mart.mobile_students",
            "SELECT country, year, source FROM {table}",
            [
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["country", "year", "source"]),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["country", "year", "source"],
        )
    ]
