"""The gates of the reference tables (ref.university_towns' suite lives with the flight suites)."""

import great_expectations.expectations as gxe

from pipeline.suites import ISSN_REGEX
from pipeline.validation import Suite


def countries(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.countries",
            "SELECT iso2, iso3 FROM {table}",
            [
                gxe.ExpectColumnValuesToBeUnique(column="iso2"),
                gxe.ExpectColumnValuesToMatchRegex(column="iso2", regex=r"^[A-Z]{2}$"),
                gxe.ExpectTableRowCountToBeBetween(min_value=240, max_value=260),
            ],
            id_columns=["iso2"],
        )
    ]


def nature_index_journals(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.nature_index_journals",
            "SELECT journal, issn_print, issn_electronic, included_from FROM {table}",
            [
                gxe.ExpectColumnValuesToNotBeNull(column="journal"),
                gxe.ExpectColumnValuesToBeUnique(column="journal"),
                gxe.ExpectColumnValuesToNotBeNull(column="included_from"),
                gxe.ExpectColumnValuesToMatchRegex(column="issn_print", regex=ISSN_REGEX),
                gxe.ExpectColumnValuesToMatchRegex(column="issn_electronic", regex=ISSN_REGEX),
            ],
            id_columns=["journal"],
        )
    ]


def nature_index_issns(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.nature_index_issns",
            "SELECT issn, journal FROM {table}",
            [
                gxe.ExpectColumnValuesToBeUnique(column="issn"),
                gxe.ExpectColumnValuesToMatchRegex(column="issn", regex=ISSN_REGEX),
                gxe.ExpectTableRowCountToBeBetween(min_value=1),
            ],
            id_columns=["issn"],
        )
    ]


def airports(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.airports",
            "SELECT iata, icao, country, lat, lon FROM {table}",
            [
                gxe.ExpectColumnValuesToBeUnique(column="iata"),
                gxe.ExpectColumnValuesToMatchRegex(column="iata", regex=r"^[A-Z0-9]{3}$"),
                gxe.ExpectColumnValuesToBeBetween(column="lat", min_value=-90, max_value=90),
                gxe.ExpectColumnValuesToBeBetween(column="lon", min_value=-180, max_value=180),
                gxe.ExpectTableRowCountToBeBetween(min_value=5000),
            ],
            id_columns=["iata"],
        )
    ]
