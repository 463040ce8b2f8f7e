"""Suites of the snapshot's raw tables (conventions: pipeline.suites). Millions of rows: evaluated as DuckDB
aggregates (`sql_rules`, pipeline.sql_rules) with great-expectations' verdicts, not by great-expectations."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import WORK_ID_REGEX, not_null
from pipeline.validation import Suite, iso2_codes, row_count_expectation


def _snapshot_rows(table: str) -> list[Suite]:
    return [
        Suite(
            table,
            "SELECT work_id, publication_year, n_authorships, updated_date, snapshot_release, source_mode FROM {table}",
            [
                *not_null("work_id", "publication_year", "n_authorships", "updated_date", "snapshot_release"),
                gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=WORK_ID_REGEX),
                gxe.ExpectColumnValuesToBeBetween(column="n_authorships", min_value=0),
                gxe.ExpectColumnValuesToBeInSet(column="source_mode", value_set=["snapshot"]),
                gxe.ExpectColumnValuesToBeUnique(column="work_id"),
            ],
            id_columns=["work_id", "updated_date"],
            sql_rules=True,
        ),
        Suite(
            f"{table}:countries",
            "SELECT work_id, unnest(countries) AS country FROM {table}",
            [gxe.ExpectColumnValuesToBeInSet(column="country", value_set=iso2_codes())],
            id_columns=["work_id"],
            sql_rules=True,
        ),
    ]


def raw_openalex_snapshot_parts() -> Sequence[Suite]:
    """One batch of an extracted partition: every row rule of the snapshot's records, once (the reader already
    keeps one row per work id in the batch)."""
    return _snapshot_rows("raw.openalex_snapshot_parts")


def _latest_versions(table: str, previous: int, tolerance: float) -> Suite:
    """What the latest-version load adds to rows that already passed their partition batch's row rules (which
    are not run again: no row is validated twice): one row per work across every partition, and the row count
    against the previous load."""
    return Suite(
        table,
        "SELECT work_id, updated_date FROM {table}",
        [gxe.ExpectColumnValuesToBeUnique(column="work_id"), row_count_expectation(previous, tolerance)],
        id_columns=["work_id", "updated_date"],
        sql_rules=True,
    )


def raw_openalex_snapshot_works(previous: int, tolerance: float) -> Sequence[Suite]:
    return [_latest_versions("raw.openalex_snapshot_works", previous, tolerance)]


def raw_openalex_snapshot_facts(previous: int, tolerance: float) -> Sequence[Suite]:
    """The facts of the works raw.openalex_snapshot_works holds, and a work's Share pieces add up to 1 (or it has
    none: no authorships)."""
    table = "raw.openalex_snapshot_facts"
    return [
        _latest_versions(table, previous, tolerance),
        Suite(
            f"{table}:shares",
            "SELECT work_id, list_sum([s.share for s in shares]) AS share_total FROM {table} WHERE len(shares) > 0",
            [gxe.ExpectColumnValuesToBeBetween(column="share_total", min_value=1 - 1e-9, max_value=1 + 1e-9)],
            id_columns=["work_id"],
            sql_rules=True,
        ),
    ]
