"""great-expectations suites of raw.t100_files and raw.t100_segments (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from assets.t100.reader import KNOWN_CLASSES
from pipeline.flights.suites import airport_known, known_airports, months
from pipeline.suites import at_least, in_set, keyed_table, non_negative, not_null, select
from pipeline.validation import WARNING, Suite, row_count_expectation


def raw_t100_files(previous: int) -> Sequence[Suite]:
    return [
        Suite(
            "raw.t100_files",
            "SELECT file_name, kind, file_sha256, size_bytes, rows_read FROM {table}",
            [
                *not_null("file_name", "kind", "file_sha256"),
                gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=["international", "domestic"]),
                gxe.ExpectColumnValuesToMatchRegex(column="file_sha256", regex=r"^[0-9a-f]{64}$"),
                # The same file dropped twice under two names would count its rows twice.
                gxe.ExpectColumnValuesToBeUnique(column="file_sha256"),
                *non_negative("size_bytes", "rows_read"),
            ],
            id_columns=["file_name"],
        )
    ]


# The full natural key of a T-100 segment row: carrier (and its entity and region), route, month,
# aircraft type and configuration, service class. Real months repeat every shorter key (PROVENANCE §3b).
T100_NATURAL_KEY = [
    "kind",
    "unique_carrier",
    "unique_carrier_entity",
    "region",
    "origin",
    "dest",
    "year",
    "month",
    "aircraft_type",
    "aircraft_config",
    "class",
    "data_source",
]


def raw_t100_segments(previous: int, tolerance: float, min_rows: int) -> Sequence[Suite]:
    rules = [
        *not_null("kind", "year", "month", "origin", "dest", "passengers", "class"),
        *months(),
        *non_negative("passengers", "seats"),
        *in_set(KNOWN_CLASSES, "class"),
    ]
    then = [
        row_count_expectation(previous, tolerance, min_rows=min_rows),
        # Real but implausible: charters (class L) can carry more passengers than seats.
        at_least(
            "seats",
            "passengers",
            severity=WARNING,
            description="passengers above seats: real on some charter lines, loaded as reported",
        ),
        *known_airports("origin", "dest"),
    ]
    columns = [*T100_NATURAL_KEY, "passengers", "seats", "file_name", "source_line"]
    view = select(*columns, airport_known("origin"), airport_known("dest"))
    # The same line twice (the natural key repeated) is double counting: impossible in a real download.
    return [keyed_table("raw.t100_segments", view, T100_NATURAL_KEY, rules, then, ["file_name", "source_line"])]
