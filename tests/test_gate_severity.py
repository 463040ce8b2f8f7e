"""Severities: a failed critical rule blocks the load; failed warning rules load the data and say so."""

from __future__ import annotations

import dagster as dg
import duckdb
import great_expectations.expectations as gxe
import pandas as pd
import pytest

from assets.common import check_result
from pipeline.validation import WARNING, Suite, validate_frame, validate_query
from pipeline.warehouse import GateFailed, TableLoad, load_gated

ROWS = "SELECT * FROM (VALUES (1, 10, 8), (2, 5, 9), (3, 4, 4)) AS t(id, seats, passengers)"


def suite(*, passengers_above_seats_blocks: bool) -> Suite:
    above = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="seats",
        column_B="passengers",
        or_equal=True,
        **({} if passengers_above_seats_blocks else {"severity": WARNING, "description": "charters do this"}),
    )
    return Suite("t.flights", "SELECT * FROM {table}", [gxe.ExpectColumnValuesToNotBeNull(column="id"), above], ["id"])


def load(conn: duckdb.DuckDBPyConnection, blocks: bool) -> list:
    conn.execute("CREATE SCHEMA IF NOT EXISTS t")
    return load_gated(
        conn, [TableLoad("t.flights", ROWS, lambda previous: [suite(passengers_above_seats_blocks=blocks)])]
    )


def test_a_failed_warning_rule_is_reported_with_counts_and_samples_and_does_not_fail():
    frame = pd.DataFrame({"id": [1, 2, 3], "seats": [10, 5, 4], "passengers": [8, 9, 4]})
    result = validate_frame(frame, suite(passengers_above_seats_blocks=False))
    assert result.success and not result.errors
    [warning] = result.warnings
    assert (warning.severity, warning.unexpected_count, warning.note) == ("warning", 1, "charters do this")
    assert warning.sample == [{"id": 2, "seats": 5, "passengers": 9}]
    assert "charters do this" in warning.describe()
    blocking = validate_frame(frame, suite(passengers_above_seats_blocks=True))
    assert not blocking.success and [f.severity for f in blocking.errors] == ["critical"]


def test_the_chunked_path_keeps_severities(monkeypatch):
    monkeypatch.setattr("pipeline.validation.CHUNK_ROWS", 2)  # three rows: streamed in two batches
    conn = duckdb.connect()
    result = validate_query(conn, ROWS, suite(passengers_above_seats_blocks=False))
    assert result.success and [(f.severity, f.unexpected_count) for f in result.warnings] == [("warning", 1)]


def test_warnings_commit_the_load_and_show_as_a_warn_check():
    conn = duckdb.connect()
    [outcome] = load(conn, blocks=False)
    assert conn.execute("SELECT count(*) FROM t.flights").fetchone() == (3,)
    check = check_result(outcome, "test source")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.description.startswith("loaded with 1 warning(s) on t.flights")
    assert check.metadata["warnings"].value == 1 and check.metadata["errors"].value == 0
    [value] = [v.value for k, v in check.metadata.items() if k.startswith("warning: ")]
    assert value["unexpected_count"] == 1 and value["sample"] == [{"id": 2, "seats": 5, "passengers": 9}]


def test_a_critical_failure_rolls_back_and_shows_as_an_error_check():
    conn = duckdb.connect()
    with pytest.raises(GateFailed, match="expect_column_pair_values_a_to_be_greater_than_b") as failed:
        load(conn, blocks=True)
    assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'flights'").fetchone() == (0,)
    check = check_result(failed.value.outcomes[0], "test source")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
