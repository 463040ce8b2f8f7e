"""The SQL rule engine (pipeline.sql_rules) against great-expectations on the same rows.

For every supported expectation type, on crafted DuckDB tables with NULLs, NaN, infinities, bounds hit
exactly, duplicates, compound keys with partial NULLs and regex edge cases, each rule's verdict and
great-expectations' result fields (element, missing and unexpected counts, the four percentages, the
first SAMPLE_ROWS offending rows with the id columns) equal what great-expectations computes on
`fetchdf()` of the same relation, and the whole SuiteResult equals `validate_frame`'s. Then the big
tables' own suites on every case of tests/test_suites.py, and the regex translation on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import duckdb
import great_expectations.expectations as gxe
import pytest

import assets.openalex_snapshot.suites as snapshot_suites
import pipeline.suites as paper_suites
import pipeline.validation as validation
from pipeline import sql_rules
from pipeline.sql_rules import UnsupportedRule, re2_pattern
from pipeline.suites import ISSN_REGEX, WORK_ID_REGEX
from pipeline.validation import WARNING, Suite, fetch_frame, validate_frame, validate_query
from tests.test_suites import CASES, table

EPS = 1e-9
W = "https://openalex.org/W"

# Row order is the table's insertion order: the samples (the first offending rows) depend on it.
ROWS_SQL = f"""
CREATE TABLE t AS SELECT * FROM (VALUES
    (1, '{W}1',     0,    'US', 2020, 0.5,              DATE '2026-01-05', true,  'a'),
    (2, '{W}1',     1,    'CN', 2021, 1.0 + {EPS},      DATE '2026-01-05', false, 'b'),
    (3, '{W}2',     0,    NULL, 2015, 'nan'::DOUBLE,    NULL,              NULL,  NULL),
    (4, NULL,       NULL, 'ZZ', NULL, NULL,             DATE '2026-01-06', true,  'a'),
    (5, '{W}3\n',   0,    '',   2024, 'inf'::DOUBLE,    DATE '2026-01-07', false, 'c'),
    (6, '{W}٣',     2,    'us', 2014, '-inf'::DOUBLE,   DATE '2026-01-07', true,  'a'),
    (7, 'W4',       NULL, 'US', 2025, -0.0,             DATE '2026-01-08', NULL,  'b'),
    (8, '{W}5',     NULL, 'XK', 2019, 1.0 + 2 * {EPS},  DATE '2026-01-08', false, 'b'),
    (9, NULL,       NULL, NULL, NULL, 0.0,              NULL,              NULL,  NULL)
) AS v(line, work_id, author_idx, country, year, share, updated_date, flag, tag)
"""
IDS = ["work_id", "updated_date"]
VIEW = "SELECT * FROM t"


@pytest.fixture(scope="module")
def conn() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(ROWS_SQL)
    connection.execute("CREATE TABLE empty AS SELECT * FROM t WHERE false")
    yield connection
    connection.close()


def gx_results(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite) -> list[tuple[bool, dict]]:
    """great-expectations' (success, result) for each expectation of `suite` on fetchdf(), in suite order."""
    results = validation._evaluate(fetch_frame(conn, sql), suite, range(len(suite.expectations)))
    return [(results[i].success, results[i].result or {}) for i in range(len(suite.expectations))]


def assert_same_as_gx(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite) -> list[sql_rules.Outcome]:
    """Every rule's verdict and result fields as great-expectations', and the SuiteResult as validate_frame's."""
    rows, outcomes = sql_rules.evaluate(conn, sql, suite)
    expected = gx_results(conn, sql, suite)
    assert rows == conn.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    for outcome, (success, result) in zip(outcomes, expected, strict=True):
        name = f"{outcome.rule.expectation.configuration.type} #{outcome.rule.index}"
        assert outcome.success == success, name
        for key, value in outcome.details.items():
            if key == "unexpected_index_list":  # compared as the check metadata shows them (NaN, NaT: None)
                assert validation._clean(value) == validation._clean(result[key][: validation.SAMPLE_ROWS]), name
            else:
                assert value == result[key], (name, key)
        # the fields great-expectations reports that the engine leaves out are only the unexpected values
        # themselves (partial lists, counts, the pandas query), which no caller reads
        left_out = set(result) - set(outcome.details)
        assert left_out <= {
            "partial_unexpected_list",
            "partial_unexpected_counts",
            "partial_unexpected_index_list",
            "unexpected_list",
            "unexpected_index_query",
            "unexpected_index_column_names",
            "unexpected_index_list",  # a passing rule: no sample fetched
        }, (name, left_out)
        if not outcome.success and "unexpected_count" in outcome.details:
            assert "unexpected_index_list" in outcome.details
    assert sql_rules.validate(conn, sql, suite) == validate_frame(fetch_frame(conn, sql), suite)
    return outcomes


def suite_of(*expectations: Any, ids: list[str] | None = None) -> Suite:
    return Suite("t", VIEW, list(expectations), id_columns=IDS if ids is None else ids, sql_rules=True)


COLUMNS = ["line", "work_id", "author_idx", "country", "year", "share", "updated_date", "flag", "tag"]

CASES_BY_TYPE = {
    "not null": [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in COLUMNS],
    "not null, mostly": [
        gxe.ExpectColumnValuesToNotBeNull(column="share", mostly=0.75),  # 7 of 9 known: passes
        gxe.ExpectColumnValuesToNotBeNull(column="share", mostly=0.8),  # fails
    ],
    "in set": [
        gxe.ExpectColumnValuesToBeInSet(column="country", value_set=["US", "CN", "XK"]),  # '' and 'us' out
        gxe.ExpectColumnValuesToBeInSet(column="country", value_set=["US", "CN", "XK", "ZZ", "", "us", None]),
        gxe.ExpectColumnValuesToBeInSet(column="year", value_set=[2015, 2020, 2021]),
        gxe.ExpectColumnValuesToBeInSet(column="flag", value_set=[False]),
        gxe.ExpectColumnValuesToBeInSet(column="share", value_set=[0.5, 0]),  # -0.0 == 0, NaN missing
        gxe.ExpectColumnValuesToBeInSet(column="tag", value_set=["a", "b"], mostly=0.8),
        gxe.ExpectColumnValuesToBeInSet(column="tag", value_set=["a", "b"], mostly=0.5),
        gxe.ExpectColumnValuesToBeInSet(column="tag", value_set=[]),
    ],
    "between": [
        gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1 + EPS),
        gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1 + 2 * EPS),
        gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, strict_min=True),
        gxe.ExpectColumnValuesToBeBetween(column="share", max_value=1, strict_max=True),
        gxe.ExpectColumnValuesToBeBetween(column="share", min_value=-0.0, max_value=0.0),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2015, max_value=2024),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2015, max_value=2024, strict_min=True),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2014, max_value=2025, strict_max=True),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2014.5),
        gxe.ExpectColumnValuesToBeBetween(column="author_idx", min_value=1, mostly=0.2),
        gxe.ExpectColumnValuesToBeBetween(column="author_idx", max_value=1, mostly=0.9),
    ],
    "match regex": [
        gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=WORK_ID_REGEX),  # W3\n matches, W٣ too
        gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=r"W\d\Z"),
        gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=r"^https://openalex\.org/W[0-9]+$"),
        gxe.ExpectColumnValuesToMatchRegex(column="country", regex=r"^[A-Z]{2}$|^$"),
        gxe.ExpectColumnValuesToMatchRegex(column="tag", regex="a|b", mostly=0.5),
    ],
    "unique": [
        gxe.ExpectColumnValuesToBeUnique(column="work_id"),  # W1 twice; two NULLs are not duplicates
        gxe.ExpectColumnValuesToBeUnique(column="tag"),
        gxe.ExpectColumnValuesToBeUnique(column="flag"),
        gxe.ExpectColumnValuesToBeUnique(column="updated_date"),
        gxe.ExpectColumnValuesToBeUnique(column="year"),  # passes: NULLs ignored
        gxe.ExpectColumnValuesToBeUnique(column="tag", mostly=0.1),
    ],
    "compound unique": [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "author_idx"]),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["work_id", "author_idx"], ignore_row_if="any_value_is_missing"
        ),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "author_idx"], ignore_row_if="never"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["tag", "flag"]),  # (NULL, NULL) twice, ignored
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["tag", "flag"], ignore_row_if="never"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["author_idx", "tag"]),  # (NULL, 'b') twice: a duplicate
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["updated_date", "flag"], mostly=0.5),
    ],
    "row count": [
        gxe.ExpectTableRowCountToBeBetween(min_value=9, max_value=9),
        gxe.ExpectTableRowCountToBeBetween(min_value=9, strict_min=True),
        gxe.ExpectTableRowCountToBeBetween(max_value=9, strict_max=True),
        gxe.ExpectTableRowCountToBeBetween(min_value=10),
        gxe.ExpectTableRowCountToBeBetween(max_value=8),
        gxe.ExpectTableRowCountToEqual(value=9),
        gxe.ExpectTableRowCountToEqual(value=3),
    ],
}


@pytest.mark.parametrize("kind", list(CASES_BY_TYPE))
def test_each_rule_type_gives_great_expectations_result(conn, kind):
    outcomes = assert_same_as_gx(conn, VIEW, suite_of(*CASES_BY_TYPE[kind]))
    verdicts = {o.success for o in outcomes}
    assert verdicts == {True, False}, f"{kind}: the cases must include a passing and a failing rule"


def test_all_rule_types_in_one_suite_in_great_expectations_order(conn):
    everything = [e for expectations in CASES_BY_TYPE.values() for e in expectations]
    # severities and descriptions travel to the failures; the failures come grouped by column as GX reports
    everything[3] = gxe.ExpectColumnValuesToNotBeNull(column="country", severity=WARNING, description="why")
    suite = suite_of(*reversed(everything), ids=["work_id", "author_idx", "updated_date"])
    assert_same_as_gx(conn, VIEW, suite)
    result = sql_rules.validate(conn, VIEW, suite)
    assert result.warnings and result.warnings[0].note == "why" and result.rows == 9


def test_an_empty_relation_and_an_all_null_column(conn):
    every = [e for expectations in CASES_BY_TYPE.values() for e in expectations]
    assert_same_as_gx(conn, "SELECT * FROM empty", suite_of(*every))
    all_null = "SELECT * REPLACE (NULL::VARCHAR AS country, NULL::DOUBLE AS share) FROM t"
    assert_same_as_gx(conn, all_null, suite_of(*every))


def test_a_missing_column_fails_as_in_great_expectations(conn):
    suite = suite_of(
        gxe.ExpectColumnValuesToNotBeNull(column="nope"),
        gxe.ExpectColumnValuesToBeInSet(column="nope", value_set=["a"]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "nope"]),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2015),
    )
    result = sql_rules.validate(conn, VIEW, suite)
    assert result == validate_frame(fetch_frame(conn, VIEW), suite)
    assert [(f.column, f.unexpected_count) for f in result.failures][:2] == [("nope", None), ("nope", None)]


def test_samples_are_the_first_offending_rows_of_a_parallel_scan():
    # Several row groups scanned by two threads; the offending rows are spread over the whole table, so the
    # sample must come from the relation's order, not from whichever thread finishes first.
    conn = duckdb.connect(config={"threads": 2})
    conn.execute(
        "CREATE TABLE big AS SELECT 'W' || i AS work_id, CASE WHEN i % 9973 = 17 THEN 'ZZ' ELSE 'US' END AS country, "
        "(i % 7)::INTEGER AS k FROM range(300000) AS r(i)"
    )
    conn.execute("INSERT INTO big SELECT * FROM big WHERE hash(work_id) % 5000 = 3")
    suite = Suite(
        "big",
        "SELECT * FROM big",
        [
            gxe.ExpectColumnValuesToBeInSet(column="country", value_set=["US"]),
            gxe.ExpectColumnValuesToBeUnique(column="work_id"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["work_id", "k"]),
        ],
        ["work_id", "k"],
        sql_rules=True,
    )
    result = sql_rules.validate(conn, suite.view_sql, suite)
    assert result == validate_frame(fetch_frame(conn, suite.view_sql), suite)
    assert [len(f.sample) for f in result.failures] == [validation.SAMPLE_ROWS] * 3
    conn.close()


BIG_SUITE_FUNCTIONS = {
    snapshot_suites.raw_openalex_snapshot_parts,
    snapshot_suites.raw_openalex_snapshot_works,
    snapshot_suites.raw_openalex_snapshot_facts,
    paper_suites.core_works,
    paper_suites.core_authorship_affiliations,
    paper_suites.core_work_countries,
    paper_suites.core_work_country_shares,
}
BIG_CASES = [c for c in CASES if c.fn in BIG_SUITE_FUNCTIONS]


def test_the_big_tables_suites_run_in_sql_and_the_others_in_great_expectations():
    assert {c.fn for c in BIG_CASES} == BIG_SUITE_FUNCTIONS
    for case in CASES:
        for suite in case.fn(**case.args):
            assert suite.sql_rules == (case.fn in BIG_SUITE_FUNCTIONS), suite.name


@pytest.mark.parametrize(
    ("case", "variant"),
    [
        pytest.param(c, v, id=f"{c.fn.__name__}: {v.label if v else 'valid'}")
        for c in BIG_CASES
        for v in (None, *c.variants)
    ],
)
def test_the_big_tables_suites_equal_great_expectations_on_their_cases(case, variant, monkeypatch):
    """The gate's cases of the big tables (tests/test_suites.py), valid and failing: the same SuiteResult from
    sql_rules as from great-expectations, and validate_query never hands them to great-expectations."""
    rows = case.rows if variant is None else variant.edit(case.rows)
    conn = duckdb.connect()
    table(conn, case.table, rows, case.rows)
    for suite in case.fn(**{**case.args, **(variant.args if variant else {})}):
        sql = suite.view_sql.format(table=case.table)
        expected = validate_frame(fetch_frame(conn, sql), suite)
        with monkeypatch.context() as patch:
            patch.setattr(validation, "validate_frame", lambda *a: pytest.fail("handed to great-expectations"))
            patch.setattr(validation, "_evaluate", lambda *a: pytest.fail("handed to great-expectations"))
            assert validate_query(conn, sql, suite) == expected
    conn.close()


def test_a_rule_sql_cannot_evaluate_is_refused_naming_the_suite_and_rule(conn):
    pair = gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="year", column_B="author_idx")
    with pytest.raises(UnsupportedRule, match=r"t: expect_column_pair_values_a_to_be_greater_than_b"):
        validate_query(conn, VIEW, suite_of(pair))
    with pytest.raises(UnsupportedRule, match=r"expect_column_values_to_be_unique\[share\].*DOUBLE"):
        validate_query(conn, VIEW, suite_of(gxe.ExpectColumnValuesToBeUnique(column="share")))
    with pytest.raises(UnsupportedRule, match=r"in_set\[year\]"):
        validate_query(conn, VIEW, suite_of(gxe.ExpectColumnValuesToBeInSet(column="year", value_set=["2020"])))
    with pytest.raises(UnsupportedRule, match=r"match_regex\[work_id\].*\\\\w"):
        validate_query(conn, VIEW, suite_of(gxe.ExpectColumnValuesToMatchRegex(column="work_id", regex=r"\w+")))


# --- the regex translation ----------------------------------------------------------------------------------

PATTERNS = [
    WORK_ID_REGEX,
    ISSN_REGEX,
    r"^a.b$",
    r"a|b$",
    r"(ab)+$",
    r"(?:x|ab$)",
    r"\d{2,3}",
    r"^\D+$",
    r"[^\d-]x",
    r"\Aab\Z",
    r"a*?b",
    r"a{3}",
    r"[\]\-^.]",
    r"é+",
    r"^$",
    r"",
    r"[a-c]{0,2}z",
]
STRINGS = [
    "",
    "\n",
    "a\nb",
    "ab\n",
    "ab\n\n",
    "ab",
    "aab",
    "xab\n",
    "aaa",
    "a.b",
    "-x",
    "1x",
    "]",
    "^",
    "é\n",
    "12",
    "1234",
    "١٢",
    "https://openalex.org/W123",
    "https://openalex.org/W123\n",
    "https://openalex.org/W١٢٣",
    "https://openalex.org/W",
    "https://openalex.orgXW1",
    "1234-567X",
    "1234-5678\n",
    "1234-567x",
    "abz",
    "dz",
]


def test_regex_translation_decides_as_python_re_search():
    conn = duckdb.connect()
    conn.execute("CREATE TABLE s (pattern VARCHAR, translated VARCHAR, text VARCHAR)")
    pairs = [(p, re2_pattern(p), s) for p in PATTERNS for s in STRINGS]
    conn.executemany("INSERT INTO s VALUES (?, ?, ?)", pairs)
    got = conn.execute("SELECT pattern, text, regexp_matches(text, translated) FROM s").fetchall()
    conn.close()
    wrong = [(p, s, m) for p, s, m in got if m != (re.search(p, s) is not None)]
    assert not wrong
    # the cases the translation exists for: RE2's $ and \d would decide these differently
    assert re.search(WORK_ID_REGEX, "https://openalex.org/W123\n") and re.search(WORK_ID_REGEX, f"{W}١٢٣")


@pytest.mark.parametrize("pattern", [r"\w", r"\s", r"\bx", r"(?i)a", r"a$b", r"(?=a)", r"(a)\1", r"(?s:.)", "[\\w]"])
def test_regex_outside_the_exact_subset_is_refused(pattern):
    with pytest.raises(UnsupportedRule):
        re2_pattern(pattern)
