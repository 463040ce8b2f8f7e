"""great-expectations suites of the student-mobility core and mart tables (same conventions as pipeline.suites;
the raw tables' suites live in their source slices, assets/uis, assets/oecd, assets/open_doors)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.settings import MODES
from pipeline.suites import non_negative, not_null
from pipeline.validation import WARNING, Suite, iso2_codes, row_count_expectation

# How an index value of a series that may switch sources relates to its base (docs/methods.md):
# same source as the base row, chain-linked through overlap years, broken (no overlap at a switch), no base row.
INDEX_METHODS = ("same_source", "chain_linked", "broken", "no_base")


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
