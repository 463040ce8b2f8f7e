"""The gates of the reference tables (ref.university_towns' suite lives with the flight suites)."""

from typing import Any

import great_expectations.expectations as gxe

from pipeline.suites import ISSN_REGEX, not_null, select
from pipeline.validation import Suite


def _coded(name: str, columns: list[str], regex: str, *rules: Any) -> list[Suite]:
    """A reference table identified by its first column, a code: unique and well-formed, then `rules`."""
    code = columns[0]
    checks = [
        gxe.ExpectColumnValuesToBeUnique(column=code),
        gxe.ExpectColumnValuesToMatchRegex(column=code, regex=regex),
    ]
    return [Suite(name, select(*columns), [*checks, *rules], id_columns=[code])]


def countries(previous: int) -> list[Suite]:
    rows = gxe.ExpectTableRowCountToBeBetween(min_value=240, max_value=260)
    return _coded("ref.countries", ["iso2", "iso3"], r"^[A-Z]{2}$", rows)


def nature_index_journals(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.nature_index_journals",
            select("journal", "issn_print", "issn_electronic", "included_from"),
            [
                *not_null("journal"),
                gxe.ExpectColumnValuesToBeUnique(column="journal"),
                *not_null("included_from"),
                gxe.ExpectColumnValuesToMatchRegex(column="issn_print", regex=ISSN_REGEX),
                gxe.ExpectColumnValuesToMatchRegex(column="issn_electronic", regex=ISSN_REGEX),
            ],
            id_columns=["journal"],
        )
    ]


def nature_index_issns(previous: int) -> list[Suite]:
    return _coded(
        "ref.nature_index_issns", ["issn", "journal"], ISSN_REGEX, gxe.ExpectTableRowCountToBeBetween(min_value=1)
    )


def airports(previous: int) -> list[Suite]:
    return _coded(
        "ref.airports",
        ["iata", "icao", "country", "lat", "lon"],
        r"^[A-Z0-9]{3}$",
        gxe.ExpectColumnValuesToBeBetween(column="lat", min_value=-90, max_value=90),
        gxe.ExpectColumnValuesToBeBetween(column="lon", min_value=-180, max_value=180),
        gxe.ExpectTableRowCountToBeBetween(min_value=5000),
    )
