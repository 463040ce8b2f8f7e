"""great-expectations suites of raw.open_doors (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import countries, keyed_table, not_null, select, year_range
from pipeline.validation import Suite

FIRST_SEED_YEAR = 1950  # Open Doors begins in 1948/49; anything earlier is a typo


def raw_open_doors(previous: int, last_year: int) -> Sequence[Suite]:
    rules = [
        *not_null("origin", "destination", "academic_year_label", "year", "students", "source_page"),
        *countries("origin", "destination"),
        gxe.ExpectColumnValuesToMatchRegex(column="academic_year_label", regex=r"^\d{4}/\d{2}$"),
        year_range((FIRST_SEED_YEAR, last_year)),
        gxe.ExpectColumnValuesToBeBetween(column="students", min_value=1),
    ]
    view = select("origin", "destination", "academic_year_label", "year", "students", "source_page", "source_line")
    key, ids = ["origin", "destination", "year"], ["source_line", "academic_year_label"]
    return [keyed_table("raw.open_doors", view, key, rules, ids=ids)]
