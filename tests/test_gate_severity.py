"""Severities: a failed critical rule blocks the load; failed warning rules load the data and say so."""

from __future__ import annotations

import dagster as dg
import duckdb
import great_expectations.expectations as gxe
import pandas as pd
import pytest

from assets.common import check_result
from pipeline.mobility.suites import mart_student_mobility
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


def test_a_jump_beyond_collab_mobility_max_yoy_warns_with_the_rows():
    frame = pd.DataFrame(
        {
            "origin": ["CN", "CN", "NP"],
            "destination": ["US", "US", "US"],
            "year": [2020, 2021, 2021],
            "source": ["uis"] * 3,
            "students": [300_000, 290_000, 25_000],
            "yoy_change": [0.01, -0.033, 0.8],  # Nepal +80 %: real or an upstream unit error
            "index_2018": [100.0, 96.7, 150.0],
            "source_mode": ["live"] * 3,
        }
    )
    [suite_] = mart_student_mobility(0, 0.5, max_yoy=0.5)
    result = validate_frame(frame, suite_)
    assert result.success
    [jump] = result.warnings
    assert jump.column == "yoy_change" and jump.unexpected_count == 1
    assert jump.sample == [{"origin": "NP", "destination": "US", "year": 2021, "source": "uis", "yoy_change": 0.8}]
    tighter = validate_frame(frame, mart_student_mobility(0, 0.5, max_yoy=0.02)[0])
    assert [f.unexpected_count for f in tighter.warnings] == [2]  # the setting is what decides
