"""Validation of large views in batches (pipeline.validation.validate_query) against whole-frame validation.

Every test lowers CHUNK_ROWS so that a few thousand rows make several batches, and checks that the suite
result — verdicts, unexpected counts, sample rows with their id columns, observed values, the order of the
failures — is exactly what great-expectations gives on the whole frame (`validate_frame` on fetchdf), and
that no frame with more than CHUNK_ROWS rows reached great-expectations unless the expectation has to be
evaluated whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import duckdb
import great_expectations.expectations as gxe
import pytest
from great_expectations.expectations.row_conditions import Column

import pipeline.validation as validation
from pipeline.catalog import table_exists
from pipeline.suites import core_authorship_affiliations
from pipeline.validation import Suite, validate_frame, validate_query
from pipeline.warehouse import GateFailed, TableLoad, load_gated

CHUNK = 1_000
ROWS = 5_500  # six batches: 5 × 1,000 + 500
ID = "SELECT * FROM t"


@pytest.fixture
def conn() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    # Work ids W0..W1099, five authors each; the last row is the only one without a country.
    connection.execute(
        f"""
        CREATE TABLE t AS SELECT
            'https://openalex.org/W' || (i // 5) AS work_id,
            (i % 5)::INTEGER AS author_idx,
            CASE WHEN i = {ROWS - 1} THEN NULL WHEN i % 701 = 3 THEN 'ZZ' ELSE ['US', 'CN', 'DE'][1 + i % 3] END
                AS country,
            CASE WHEN i = {ROWS - 2} THEN NULL WHEN i % 997 = 5 THEN 0 ELSE 1 + i % 3 END::INTEGER AS n_affiliations,
            5::INTEGER AS n_authors,
            (i % 4 = 0) AS flag,
            CASE WHEN i >= 2 * 2048 THEN 'late' END AS late_text,
            (2010 + i % 15)::INTEGER AS year
        FROM range({ROWS}) AS r(i)
        """
    )
    yield connection
    connection.close()


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """CHUNK_ROWS lowered; records (rows, columns) of every frame great-expectations is given."""
    monkeypatch.setattr(validation, "CHUNK_ROWS", CHUNK)
    seen: list[tuple[int, int]] = []
    evaluate = validation._evaluate

    def spy(frame, suite, indices):
        if indices:
            seen.append(frame.shape)
        return evaluate(frame, suite, indices)

    monkeypatch.setattr(validation, "_evaluate", spy)
    return seen


def whole(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite):
    return validate_frame(conn.execute(sql).fetchdf(), suite)


def chunked(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite, monkeypatch: pytest.MonkeyPatch):
    """validate_query, failing the test if it fell back to validate_frame on the whole view."""

    def refuse(frame, suite):
        raise AssertionError(f"{suite.name}: validated as one frame of {len(frame)} rows")

    with monkeypatch.context() as patch:
        patch.setattr(validation, "validate_frame", refuse)
        return validate_query(conn, sql, suite)


def bounded(frames: list[tuple[int, int]]) -> bool:
    """Every frame with columns had at most CHUNK rows (the row-count frame has none)."""
    return bool(frames) and all(rows <= CHUNK for rows, columns in frames if columns)


def suite_of(*expectations, ids=("work_id", "author_idx")) -> Suite:
    return Suite("t", ID, list(expectations), id_columns=list(ids))


def test_row_wise_expectations_match_the_whole_frame(conn, frames, monkeypatch):
    suite = suite_of(
        gxe.ExpectColumnValuesToNotBeNull(column="country"),
        gxe.ExpectColumnValuesToBeInSet(column="country", value_set=["US", "CN", "DE"]),
        gxe.ExpectColumnValuesToBeBetween(column="n_affiliations", min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="n_affiliations"),
        gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=r"^https://openalex\.org/W\d*[05]$"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_authors", column_B="n_affiliations", ignore_row_if="either_value_is_missing"
        ),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2010, max_value=2024),  # passes
        gxe.ExpectColumnValuesToBeInSet(column="late_text", value_set=["late"]),  # passes
    )
    expected, result = whole(conn, ID, suite), chunked(conn, ID, suite, monkeypatch)
    assert result == expected
    assert bounded(frames)
    by_rule = {(f.rule, f.column): f for f in result.failures}
    assert result.rows == ROWS and result.evaluated == 8 and len(result.failures) == 5
    in_set = by_rule[("expect_column_values_to_be_in_set", "country")]
    assert in_set.unexpected_count == len([i for i in range(ROWS - 1) if i % 701 == 3])  # rows in every batch
    assert in_set.sample[0] == {"country": "ZZ", "work_id": "https://openalex.org/W0", "author_idx": 3}
    assert len(in_set.sample) == validation.SAMPLE_ROWS
    assert by_rule[("expect_column_values_to_match_regex", "work_id")].unexpected_count == ROWS - 2 * ROWS // 10


def test_a_null_in_the_last_batch_fails_with_its_row(conn, frames, monkeypatch):
    # n_affiliations is INTEGER with one null (row ROWS-2): fetchdf makes the whole column Int32, while
    # the batches before it come as int32 — they must be validated as the whole frame would be.
    suite = suite_of(*[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("country", "n_affiliations", "year")])
    expected, result = whole(conn, ID, suite), chunked(conn, ID, suite, monkeypatch)
    assert result == expected
    assert bounded(frames)
    assert [(f.column, f.unexpected_count, f.sample) for f in result.failures] == [
        ("country", 1, [{"country": None, "work_id": "https://openalex.org/W1099", "author_idx": 4}]),
        ("n_affiliations", 1, [{"n_affiliations": None, "work_id": "https://openalex.org/W1099", "author_idx": 3}]),
    ]


def test_a_duplicate_pair_split_across_batches_still_fails_uniqueness(conn, frames, monkeypatch):
    # The first row's key again as the last row: the pair lies in the first and the last batch.
    conn.execute("INSERT INTO t SELECT * FROM t LIMIT 1")
    conn.execute("CREATE TABLE w AS SELECT DISTINCT work_id FROM t")
    conn.execute("INSERT INTO w VALUES (NULL), (NULL), ('https://openalex.org/W1099')")
    for sql, expectation, ids, duplicated in (
        (ID, gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "author_idx"]), ("work_id", "author_idx"), 2),
        (ID, gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "year"]), ("work_id", "author_idx"), 2),
        ("SELECT * FROM w", gxe.ExpectColumnValuesToBeUnique(column="work_id"), ("work_id",), 2),  # nulls ignored
        # The pair's late_text is null: compared unless every key column is null (GX's default), ...
        (ID, gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "author_idx", "late_text"]), ("work_id",), 2),
        # ... left out when any is.
        (
            ID,
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["work_id", "author_idx", "late_text"], ignore_row_if="any_value_is_missing"
            ),
            ("work_id",),
            None,
        ),
    ):
        suite = suite_of(expectation, ids=ids)
        expected, result = whole(conn, sql, suite), chunked(conn, sql, suite, monkeypatch)
        assert result == expected
        assert result.rows > CHUNK
        assert [f.unexpected_count for f in result.failures] == ([duplicated] if duplicated else [])
        if duplicated:
            assert result.failures[0].sample[0]["work_id"] in ("https://openalex.org/W0", "https://openalex.org/W1099")
    assert bounded(frames)
    unique = suite_of(gxe.ExpectColumnValuesToBeUnique(column="work_id"), ids=("work_id",))
    passing = "SELECT DISTINCT work_id FROM t"
    assert chunked(conn, passing, unique, monkeypatch) == whole(conn, passing, unique)
    assert chunked(conn, passing, unique, monkeypatch).success


def test_duplicates_are_reported_in_view_order_from_a_parallel_scan(frames, monkeypatch):
    # Several row groups scanned by two threads: the rows of a join come in no fixed order, the sample
    # must still be the first duplicated rows of the view. Here the sample is every duplicated row.
    monkeypatch.setattr(validation, "SAMPLE_ROWS", 1_000)
    conn = duckdb.connect(config={"threads": 2})
    conn.execute("CREATE TABLE big AS SELECT 'W' || i AS work_id, (i % 7)::INTEGER AS k FROM range(400000) AS r(i)")
    conn.execute("INSERT INTO big SELECT * FROM big WHERE hash(work_id) % 2000 = 3")
    suite = Suite("big", "SELECT * FROM big", [gxe.ExpectColumnValuesToBeUnique(column="work_id")], ["work_id", "k"])
    expected, result = whole(conn, suite.view_sql, suite), chunked(conn, suite.view_sql, suite, monkeypatch)
    assert result == expected
    [failure] = result.failures
    assert (
        failure.unexpected_count
        == len(failure.sample)
        == 2 * conn.execute("SELECT count(*) - 400000 FROM big").fetchall()[0][0]
    )
    assert bounded(frames)


def test_more_duplicate_rows_than_a_batch_go_in_batches_of_whole_key_groups(conn, frames, monkeypatch):
    # 30 (year, flag) keys over 5,500 rows: every row is a duplicate, 5.5 batches' worth.
    suite = suite_of(gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "flag"]), ids=("work_id", "author_idx"))
    expected, result = whole(conn, ID, suite), chunked(conn, ID, suite, monkeypatch)
    groups = conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM t GROUP BY year, flag)")
    largest_group = groups.fetchall()[0][0]
    batches = [rows for rows, columns in frames if columns]
    assert len(batches) >= ROWS // CHUNK and sum(batches) == ROWS
    assert max(batches) < CHUNK + largest_group  # a batch ends with the group it started
    assert result.success is expected.success is False
    [got], [want] = result.failures, expected.failures
    assert got.unexpected_count == want.unexpected_count == ROWS
    # Samples come in key order here, so they may be other offending rows than the first in view order.
    assert len(got.sample) == validation.SAMPLE_ROWS
    assert all(set(row) >= {"work_id", "author_idx"} for row in got.sample)


def test_row_count_is_evaluated_on_the_true_count(conn, frames, monkeypatch):
    suite = suite_of(
        gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=ROWS - 1),
        gxe.ExpectTableRowCountToEqual(value=ROWS),
        gxe.ExpectTableRowCountToBeBetween(min_value=ROWS + 1),
        gxe.ExpectTableColumnsToMatchSet(column_set=["work_id", "author_idx"], exact_match=True),
        gxe.ExpectColumnToExist(column="year"),
    )
    expected, result = whole(conn, ID, suite), chunked(conn, ID, suite, monkeypatch)
    assert result == expected
    assert bounded(frames)
    assert [(f.rule, f.observed) for f in result.failures][:2] == [
        ("expect_table_row_count_to_be_between", ROWS),
        ("expect_table_row_count_to_be_between", ROWS),
    ]
    assert len(result.failures) == 3  # and the column set


def test_mostly_is_judged_on_the_whole_view_not_per_batch(conn, frames, monkeypatch):
    # 'late_text' is null in the first 4,096 rows: 74 % of the view, every row of the first batches.
    for mostly in (0.2, 0.3):
        suite = suite_of(gxe.ExpectColumnValuesToNotBeNull(column="late_text", mostly=mostly))
        expected, result = whole(conn, ID, suite), chunked(conn, ID, suite, monkeypatch)
        assert result == expected
        assert result.success is (mostly == 0.2)
    assert bounded(frames)


def test_an_unknown_aggregate_expectation_is_evaluated_on_the_whole_frame(conn, frames, monkeypatch):
    suite = suite_of(
        gxe.ExpectColumnMeanToBeBetween(column="n_affiliations", min_value=0, max_value=1.5),  # fails: ≈ 2
        gxe.ExpectColumnMaxToBeBetween(column="year", max_value=2030),
        gxe.ExpectColumnValuesToBeIncreasing(column="author_idx"),  # a map expectation, but not row-wise
        gxe.ExpectColumnValuesToNotBeNull(column="country"),
    )
    expected = whole(conn, ID, suite)
    result = validate_query(conn, ID, suite)
    assert result == expected
    assert [f.rule for f in result.failures] == [
        "expect_column_mean_to_be_between",
        "expect_column_values_to_be_increasing",
        "expect_column_values_to_not_be_null",
    ]
    whole_frames = [shape for shape in frames if shape[0] == ROWS and shape[1]]
    assert len(whole_frames) == 1  # fetched once for the three, the null check still in batches
    assert all(rows <= CHUNK for rows, columns in frames if columns and (rows, columns) not in whole_frames)


def test_expectations_are_classified_by_type():
    types = {"a": "VARCHAR", "b": "INTEGER", "x": "DOUBLE"}
    kind = validation._kind
    assert kind(gxe.ExpectColumnValuesToNotBeNull(column="a"), types) == "row"
    assert kind(gxe.ExpectColumnValuesToBeUnique(column="a"), types) == "unique"  # a ColumnMapExpectation
    assert kind(gxe.ExpectCompoundColumnsToBeUnique(column_list=["a", "b"]), types) == "unique"
    assert kind(gxe.ExpectColumnValuesToBeUnique(column="x"), types) == "whole"  # float keys
    assert kind(gxe.ExpectColumnValuesToBeUnique(column="a", mostly=0.9), types) == "whole"
    assert kind(gxe.ExpectColumnValuesToBeIncreasing(column="b"), types) == "whole"
    assert kind(gxe.ExpectColumnValueZScoresToBeLessThan(column="b", threshold=3, double_sided=True), types) == "whole"
    assert kind(gxe.ExpectColumnDistinctValuesToBeInSet(column="a", value_set=["x"]), types) == "whole"
    assert kind(gxe.ExpectTableRowCountToBeBetween(min_value=1), types) == "count"
    assert kind(gxe.ExpectTableRowCountToBeBetween(min_value=1, row_condition=Column("b") > 1), types) == "whole"
    assert kind(gxe.ExpectTableColumnsToMatchSet(column_set=["a"]), types) == "schema"


def test_a_table_within_one_batch_is_validated_as_one_frame(conn, monkeypatch):
    monkeypatch.setattr(validation, "CHUNK_ROWS", ROWS)
    calls = []
    monkeypatch.setattr(validation, "validate_frame", lambda frame, suite: calls.append(len(frame)) or "whole")
    assert validate_query(conn, ID, suite_of(gxe.ExpectColumnValuesToNotBeNull(column="country"))) == "whole"
    assert calls == [ROWS]


def test_a_missing_column_fails_as_on_the_whole_frame(conn, frames, monkeypatch):
    suite = suite_of(gxe.ExpectColumnValuesToNotBeNull(column="nope"), gxe.ExpectColumnValuesToBeUnique(column="nope"))
    expected, result = whole(conn, ID, suite), validate_query(conn, ID, suite)
    assert result == expected
    assert [(f.rule, f.unexpected_count) for f in result.failures] == [
        ("expect_column_values_to_not_be_null", None),
        ("expect_column_values_to_be_unique", None),
    ]


def test_the_load_gate_validates_a_large_table_in_batches(conn, frames, monkeypatch):
    conn.execute("CREATE SCHEMA core")

    def suites(previous: int):
        # the great-expectations path in batches (the suite itself is evaluated by pipeline.sql_rules)
        return [replace(s, sql_rules=False) for s in core_authorship_affiliations(previous, 0.5)]

    select = "SELECT work_id, author_idx, country, n_affiliations, n_authors FROM t"
    with pytest.raises(GateFailed) as failed:
        load_gated(conn, [TableLoad("core.authorship_affiliations", select, suites)])
    [outcome] = failed.value.outcomes
    [suite_result] = outcome.results
    reference = whole(conn, select, suites(0)[0])
    assert suite_result == reference
    assert {(f.rule, f.column, f.unexpected_count) for f in suite_result.failures} == {
        ("expect_column_values_to_not_be_null", "country", 1),
        ("expect_column_values_to_be_in_set", "country", len([i for i in range(ROWS - 1) if i % 701 == 3])),
        ("expect_column_values_to_be_between", "n_affiliations", len([i for i in range(ROWS - 2) if i % 997 == 5])),
    }
    assert bounded(frames)
    assert not table_exists(conn, "core.authorship_affiliations")  # rolled back


def test_great_expectations_does_not_fingerprint_the_batches(conn, monkeypatch):
    """GX would hash every row of each batch twice for a batch marker nothing reads (over half the time of a
    500,000-row batch); the HASH_THRESHOLD knob turns that off. If GX renames the knob, this fails."""
    from great_expectations.execution_engine import pandas_execution_engine

    calls = []
    original = pandas_execution_engine.hash_pandas_dataframe
    monkeypatch.setattr(
        pandas_execution_engine, "hash_pandas_dataframe", lambda df: calls.append(len(df)) or original(df)
    )
    monkeypatch.setattr(validation, "CHUNK_ROWS", CHUNK)
    suite = replace(core_authorship_affiliations(0, 0.5)[0], sql_rules=False)  # through great-expectations
    result = validate_query(conn, suite.view_sql.format(table="t"), suite)
    assert result.evaluated == len(suite.expectations) and calls == []
