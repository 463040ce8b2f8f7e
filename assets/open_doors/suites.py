"""great-expectations suites of raw.open_doors (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import not_null
from pipeline.validation import Suite, iso2_codes

FIRST_SEED_YEAR = 1950  # Open Doors begins in 1948/49; anything earlier is a typo


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
