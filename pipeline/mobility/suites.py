"""great-expectations suites of the student-mobility core and mart tables (same conventions as pipeline.suites;
the raw tables' suites live in their source slices, assets/uis, assets/oecd, assets/open_doors)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.settings import MODES
from pipeline.suites import countries, in_set, keyed_table, non_negative, not_null, select
from pipeline.validation import WARNING, Suite, row_count_expectation

# How an index value of a series that may switch sources relates to its base (docs/methods.md):
# same source as the base row, chain-linked through overlap years, broken (no overlap at a switch), no base row.
INDEX_METHODS = ("same_source", "chain_linked", "broken", "no_base")


# A directed flow of students between two countries in a year, as one source counts it.
FLOW_KEY = ["origin", "destination", "year", "source"]
COUNTRY_KEY = ["country", "year", "source"]


def core_student_mobility(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [
        *not_null(*FLOW_KEY, "students"),
        *countries("origin", "destination"),
        *in_set([False], "same_country"),
        *non_negative("students"),
    ]
    view = select(*FLOW_KEY, "students", "origin = destination AS same_country")
    return [keyed_table("core.student_mobility", view, FLOW_KEY, rules, [row_count_expectation(previous, tolerance)])]


def core_mobile_students(previous: int, tolerance: float) -> Sequence[Suite]:
    rules = [*not_null(*COUNTRY_KEY), *countries("country"), *non_negative("inbound_students", "outbound_students")]
    view = select(*COUNTRY_KEY, "inbound_students", "outbound_students")
    return [keyed_table("core.mobile_students", view, COUNTRY_KEY, rules, [row_count_expectation(previous, tolerance)])]


def mart_student_mobility(previous: int, tolerance: float, max_yoy: float) -> Sequence[Suite]:
    then = [
        *in_set([*MODES, "reference"], "source_mode"),
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
    ]
    view = select(*FLOW_KEY, "students", "yoy_change", "index_2018", "source_mode")
    return [keyed_table("mart.student_mobility", view, FLOW_KEY, not_null(*FLOW_KEY, "students", "source_mode"), then)]


def mart_student_mobility_best(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["origin", "destination", "year"]
    then = [*in_set(INDEX_METHODS, "index_method"), row_count_expectation(previous, tolerance)]
    view = select(*FLOW_KEY, "students", "index_method")
    return [keyed_table("mart.student_mobility_best", view, key, not_null(*FLOW_KEY, "students", "index_method"), then)]


def mart_mobile_students(previous: int, tolerance: float) -> Sequence[Suite]:
    then = [row_count_expectation(previous, tolerance)]
    return [keyed_table("mart.mobile_students", select(*COUNTRY_KEY), COUNTRY_KEY, then=then)]
