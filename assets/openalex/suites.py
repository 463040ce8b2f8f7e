"""great-expectations suites of raw.openalex_works and raw.openalex_group_counts (conventions: pipeline.suites)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.settings import MODES
from pipeline.suites import WORK_ID_REGEX, non_negative, not_null
from pipeline.validation import Suite, iso2_codes, row_count_expectation


def raw_openalex_works(previous: int, years: tuple[int, int], tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "raw.openalex_works",
            "SELECT work_id, publication_year, type, n_authorships, is_paratext, is_retracted, source_mode "
            "FROM {table}",
            [
                *not_null("work_id", "publication_year", "type", "n_authorships", "source_mode"),
                gxe.ExpectColumnValuesToBeUnique(column="work_id"),
                gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=WORK_ID_REGEX),
                gxe.ExpectColumnValuesToBeBetween(column="publication_year", min_value=years[0], max_value=years[1]),
                gxe.ExpectColumnValuesToBeInSet(column="source_mode", value_set=list(MODES)),
                row_count_expectation(previous, tolerance),
            ],
            id_columns=["work_id"],
        ),
        Suite(
            "raw.openalex_works:countries",
            "SELECT work_id, unnest(countries) AS country FROM {table}",
            [gxe.ExpectColumnValuesToBeInSet(column="country", value_set=iso2_codes())],
            id_columns=["work_id"],
        ),
    ]


def raw_openalex_group_counts(previous: int, years: tuple[int, int], tolerance: float, live: bool) -> Sequence[Suite]:
    return [
        Suite(
            "raw.openalex_group_counts",
            "SELECT query_kind, paper_set, year, intl_only, coalesce(filter_country, '') AS filter_country, "
            "key, count, request FROM {table}",
            [
                *not_null("query_kind", "paper_set", "year", "key", "count"),
                *non_negative("count"),
                gxe.ExpectColumnValuesToBeBetween(column="year", min_value=years[0], max_value=years[1]),
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=["query_kind", "paper_set", "year", "intl_only", "filter_country", "key", "request"]
                ),
                row_count_expectation(previous, tolerance, min_rows=1 if live else 0),
            ],
            id_columns=["query_kind", "paper_set", "year", "key"],
        ),
        Suite(
            "raw.openalex_group_counts:countries",
            "SELECT year, key FROM {table} WHERE group_field = 'authorships.countries'",
            [gxe.ExpectColumnValuesToBeInSet(column="key", value_set=iso2_codes())],
            id_columns=["year", "key"],
        ),
    ]
