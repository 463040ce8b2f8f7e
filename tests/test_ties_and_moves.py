"""mart.collaboration_ties and mart.researcher_moves on a small hand-made set of works (recurring authors, a
move and a return, a work above the author cut, censored first years), run through the real SQL chain
(tests/sqlharness.py) and gated by their suites; every expected row is computed independently below in plain
Python from the same compact spec (docs/methods.md#new-versus-repeat-ties, #researchers-who-move)."""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import duckdb
import pytest

from assets.openalex_snapshot.reader import extract_partition, open_snapshot
from pipeline import ties_suites
from pipeline.catalog import table_columns
from pipeline.settings import SettingsError, load_settings
from pipeline.validation import validate_query
from pipeline.warehouse import TableLoad, connect, init_schema, load_gated, sql_text
from tests.snapshot_fixture import OPENALEX, build_snapshot
from tests.sqlharness import build_marts, fetch_dicts, work
from tests.test_migrations import previous_release_warehouse

FOCUS = ("CN", "US")
YEARS = (2016, 2021)
LOOKBACK = 2
MAX_AUTHORS = 50
ENV = {
    "COLLAB_FOCUS": ",".join(FOCUS),
    "COLLAB_YEARS": f"{YEARS[0]}-{YEARS[1]}",
    "COLLAB_TIES_LOOKBACK_YEARS": str(LOOKBACK),
    "COLLAB_TIES_MAX_AUTHORS": str(MAX_AUTHORS),
}
# A work: key, year, and its authors as (OpenAlex author id or None, affiliation country codes).
Spec = tuple[str, int, Sequence[tuple[str | None, Sequence[str]]]]
LARGE = [("A", ["CN"]), ("B", ["US"])] + [(f"X{n}", ["DE"]) for n in range(58)]  # 60 authors > 50
SPECS: list[Spec] = [
    ("P1", 2016, [("A", ["CN"]), ("B", ["US"])]),  # A–B new, but the history is censored
    ("P2", 2017, [("A", ["CN"]), ("B", ["US"]), ("C", ["US"])]),  # A–B repeat, A–C new
    ("P3", 2018, [("A", ["CN"]), ("C", ["US"]), ("D", ["CN"]), ("E", ["US"])]),  # A–C repeat; A–E, D–C, D–E new
    ("P4", 2019, [("A", ["CN"]), ("B", ["US"])]),  # A–B last seen 2017: within the 2-year window, repeat
    ("P5", 2020, LARGE),  # a joint paper, but no author pairs
    ("P6", 2021, [("A", ["CN"]), ("E", ["US"])]),  # A–E last seen 2018: 3 years before, new again
    ("P7", 2021, [("B", ["US"]), ("G", ["CN"]), (None, ["US"])]),  # an author without an id gives no pair
    # F moves CN -> US (2018) and back (2020); G stays in CN; H holds CN and US at once (a tie: CN).
    ("F1", 2016, [("F", ["CN"]), ("G", ["CN"])]),
    ("F2", 2018, [("F", ["US"]), ("G", ["CN"])]),
    ("F3", 2020, [("F", ["CN"])]),
    ("H1", 2019, [("H", ["CN", "US"]), ("K", ["US"])]),  # one cross-border pair: H–K (H with itself is none)
    # T: 2017 one CN and one US paper (tie -> CN), 2018 two US papers: a move CN -> US.
    ("T1", 2017, [("T", ["CN"])]),
    ("T2", 2017, [("T", ["US"])]),
    ("T3", 2018, [("T", ["US"])]),
    ("T4", 2018, [("T", ["US"])]),
    # Q: 2019 two GB papers and one DE (majority GB), 2020 DE: a move GB -> DE, not a return (DE was never
    # Q's country of a year before, only a minority affiliation).
    ("Q1", 2019, [("Q", ["GB"])]),
    ("Q2", 2019, [("Q", ["GB"])]),
    ("Q3", 2019, [("Q", ["DE"])]),
    ("Q4", 2020, [("Q", ["DE"])]),
]


def author_id(name: str | None) -> str | None:
    return None if name is None else f"https://openalex.org/A9{name}"


def to_work(spec: Spec) -> dict[str, Any]:
    key, year, authors = spec
    record = work(key, year, [list(countries) for _, countries in authors])
    for authorship, (name, _) in zip(record["authorships"], authors, strict=True):
        authorship["author"]["id"] = author_id(name)
    if key == "P1":  # one API work with a primary topic: the others have none (NULL field and domain)
        record["primary_topic"] = {
            "id": "https://openalex.org/T10001",
            "field": {"id": "https://openalex.org/fields/31", "display_name": "Physics and Astronomy"},
            "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"},
        }
    return record


@functools.cache
def built() -> duckdb.DuckDBPyConnection:
    conn = build_marts([to_work(s) for s in SPECS], ENV)
    load_gated(
        conn,
        [
            TableLoad(
                "mart.collaboration_ties",
                sql_text("mart/collaboration_ties.sql"),
                functools.partial(ties_suites.mart_collaboration_ties, tolerance=0.5),
            ),
            TableLoad(
                "mart.researcher_moves",
                sql_text("mart/researcher_moves.sql"),
                functools.partial(ties_suites.mart_researcher_moves, tolerance=0.5),
            ),
        ],
    )  # raises GateFailed if a suite fails
    return conn


# ---- the independent computation -------------------------------------------------------------------------


def expected_ties(a: str, b: str) -> dict[int, dict[str, Any]]:
    pairs_by_year: dict[int, set[frozenset[str]]] = defaultdict(set)
    paper_pairs: dict[str, tuple[int, set[frozenset[str]]]] = {}
    joint: Counter[int] = Counter()
    large: Counter[int] = Counter()
    for key, year, authors in SPECS:
        countries = {c for _, cs in authors for c in cs}
        if not {a, b} <= countries:
            continue
        joint[year] += 1
        if len(authors) > MAX_AUTHORS:
            large[year] += 1
            continue
        side_a = {n for n, cs in authors if n and a in cs}
        side_b = {n for n, cs in authors if n and b in cs}
        pairs = {frozenset((x, y)) for x in side_a for y in side_b if x != y}
        paper_pairs[key] = (year, pairs)
        pairs_by_year[year] |= pairs
    rows = {}
    for year in range(YEARS[0], YEARS[1] + 1):
        seen = set().union(*(pairs_by_year[y] for y in range(year - LOOKBACK, year)))
        pairs = pairs_by_year[year]
        papers = [p for y, p in paper_pairs.values() if y == year and p]
        with_repeat = sum(1 for p in papers if p & seen)
        rows[year] = {
            "joint_papers": joint[year],
            "papers_excluded_large": large[year],
            "papers_with_pairs": len(papers),
            "author_pairs": len(pairs),
            "new_pairs": len(pairs - seen),
            "repeat_pairs": len(pairs & seen),
            "papers_with_repeat_pair": with_repeat,
            "share_papers_with_repeat_pair": with_repeat / len(papers) if papers else None,
            "history_censored": year - LOOKBACK < YEARS[0],
        }
    return rows


def country_of_year() -> dict[str, dict[int, str]]:
    papers: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for _, year, authors in SPECS:
        for name, cs in authors:
            if name:
                papers[name, year].update(set(cs))
    result: dict[str, dict[int, str]] = defaultdict(dict)
    for (name, year), counts in papers.items():
        top = max(counts.values())
        result[name][year] = min(c for c, n in counts.items() if n == top)
    return result


def expected_moves() -> dict[tuple[str, str, int], tuple[int, int]]:
    moves: Counter[tuple[str, str, int]] = Counter()
    returns: Counter[tuple[str, str, int]] = Counter()
    for years in country_of_year().values():
        ordered = sorted(years)
        for before, year in itertools.pairwise(ordered):
            origin, destination = years[before], years[year]
            if origin != destination:
                moves[origin, destination, year] += 1
                had = {years[y] for y in ordered if y < year}
                returns[origin, destination, year] += destination in had
    return {k: (n, returns[k]) for k, n in moves.items()}


# ---- the tests ------------------------------------------------------------------------------------------


def ties_rows(a: str, b: str) -> dict[int, dict[str, Any]]:
    rows = fetch_dicts(
        built(), "SELECT * FROM mart.collaboration_ties WHERE country_a = ? AND country_b = ? ORDER BY year", [a, b]
    )
    return {r.pop("year"): r for r in rows}


@pytest.mark.parametrize(("a", "b"), [("CN", "US"), ("US", "CN")])
def test_ties_equal_the_independent_computation_in_both_orders(a, b):
    got = ties_rows(a, b)
    expected = expected_ties(a, b)
    assert sorted(got) == list(range(YEARS[0], YEARS[1] + 1))
    for year, want in expected.items():
        row = {k: got[year][k] for k in want}
        share = row.pop("share_papers_with_repeat_pair")
        want = dict(want)
        want_share = want.pop("share_papers_with_repeat_pair")
        assert row == want, year
        assert share == (None if want_share is None else pytest.approx(want_share)), year


def test_ties_pinned_values_of_the_worked_set():
    got = ties_rows("CN", "US")
    # 2018: A–C repeat; A–E, D–C, D–E and F–G new (F was in the US that year); P3 carries the repeat
    assert (got[2018]["new_pairs"], got[2018]["repeat_pairs"], got[2018]["papers_with_repeat_pair"]) == (4, 1, 1)
    assert got[2018]["share_papers_with_repeat_pair"] == pytest.approx(1 / 2)
    assert (got[2019]["repeat_pairs"], got[2019]["new_pairs"]) == (1, 1)  # A–B within the window; H–K new
    assert (got[2020]["joint_papers"], got[2020]["papers_excluded_large"], got[2020]["author_pairs"]) == (1, 1, 0)
    assert got[2020]["share_papers_with_repeat_pair"] is None  # no paper with a pair: NULL, never 0
    assert (got[2021]["new_pairs"], got[2021]["repeat_pairs"]) == (2, 0)  # A–E fell out of the window; B–G
    assert [got[y]["history_censored"] for y in sorted(got)] == [True, True, False, False, False, False]
    assert {r["lookback_years"] for r in got.values()} == {LOOKBACK}
    assert {r["method"] for r in got.values()} == {"every work of the sample records"}


def test_api_records_carry_author_ids_and_fields_into_work_records():
    rows = fetch_dicts(
        built(),
        "SELECT work_id, field, domain_id, [a.author.id for a in authorships] AS authors, "
        "authorships[1].institutions[1].display_name AS institution FROM core.work_records "
        "WHERE work_id LIKE '%/P1' OR work_id LIKE '%/P2' ORDER BY work_id",
    )
    assert [(r["field"], r["domain_id"]) for r in rows] == [
        ("Physics and Astronomy", "https://openalex.org/domains/3"),
        (None, None),
    ]
    assert rows[0]["authors"] == [author_id("A"), author_id("B")]
    assert rows[0]["institution"] == "Institution 0 (CN)"


def test_moves_equal_the_independent_computation():
    rows = fetch_dicts(built(), "SELECT origin, destination, year, movers, returnees FROM mart.researcher_moves")
    got = {(r["origin"], r["destination"], r["year"]): (r["movers"], r["returnees"]) for r in rows}
    assert got == expected_moves()
    # F: CN -> US in 2018 (with T), back to CN in 2020 (a returnee); Q: GB -> DE in 2020
    assert got == {("CN", "US", 2018): (2, 0), ("US", "CN", 2020): (1, 1), ("GB", "DE", 2020): (1, 0)}


def test_moves_in_live_mode_are_null_with_the_reason():
    conn = built()
    conn.execute("SET VARIABLE source_mode = 'live'")
    try:
        rows = fetch_dicts(conn, sql_text("mart/researcher_moves.sql"))
    finally:
        conn.execute("SET VARIABLE source_mode = 'sample'")
    assert [r["year"] for r in rows] == list(range(YEARS[0], YEARS[1] + 1))
    assert {(r["origin"], r["destination"], r["movers"], r["returnees"]) for r in rows} == {(None, None, None, None)}
    assert all("full list of works is not fetched" in r["method"] for r in rows)


def test_a_larger_author_cut_lets_the_large_work_contribute_its_pairs():
    conn = build_marts([to_work(s) for s in SPECS], {**ENV, "COLLAB_TIES_MAX_AUTHORS": "100"})
    row = fetch_dicts(
        conn,
        f"SELECT * FROM ({sql_text('mart/collaboration_ties.sql')}) WHERE country_a = 'CN' AND country_b = 'US' "
        "AND year = 2020",
    )[0]
    # A–B last met in 2019: a repeat within the window once the 60-author paper counts
    assert (row["papers_excluded_large"], row["author_pairs"], row["repeat_pairs"]) == (0, 1, 1)


def failed_rules(conn: duckdb.DuckDBPyConnection, table: str, suites: Sequence[Any]) -> set[str]:
    results = [validate_query(conn, s.view_sql.format(table=table), s) for s in suites]
    return {f"{f.rule}:{f.column}" for r in results for f in r.errors}


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("SET new_pairs = new_pairs + 1 WHERE year = 2018", "pairs_gap"),
        ("SET papers_with_repeat_pair = 9, share_papers_with_repeat_pair = 4.5 WHERE year = 2018", "repeat_pair"),
        ("SET history_censored = false WHERE year = 2016", "censor_consistent"),
        ("SET joint_papers = -1 WHERE year = 2021 AND country_a = 'CN'", "joint_papers"),
        ("SET repeat_pairs = 0, author_pairs = 4 WHERE year = 2018 AND country_a = 'US'", "mirror_equal"),
    ],
)
def test_the_ties_suite_rejects_wrong_rows(change, rule):
    conn = built().cursor()
    conn.execute("CREATE OR REPLACE TEMP TABLE bad_ties AS SELECT * FROM mart.collaboration_ties")
    conn.execute(f"UPDATE bad_ties {change}")
    failed = failed_rules(conn, "bad_ties", ties_suites.mart_collaboration_ties(0, 0.5))
    assert any(rule in f for f in failed), failed


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("SET returnees = movers + 1 WHERE origin = 'CN'", "a_to_be_greater_than_b"),  # movers >= returnees
        ("SET movers = NULL WHERE origin = 'GB'", "null_iff_live"),
        ("SET destination = origin WHERE origin = 'GB'", "is_move"),
    ],
)
def test_the_moves_suite_rejects_wrong_rows(change, rule):
    conn = built().cursor()
    conn.execute("CREATE OR REPLACE TEMP TABLE bad_moves AS SELECT * FROM mart.researcher_moves")
    conn.execute(f"UPDATE bad_moves {change}")
    failed = failed_rules(conn, "bad_moves", ties_suites.mart_researcher_moves(0, 0.5))
    assert any(rule in f for f in failed), failed


@pytest.mark.parametrize("layout", ["legacy", "jsonl", "parquet"])
def test_the_snapshot_rows_carry_author_ids_institution_names_and_fields_into_work_records(tmp_path, layout):
    snapshot = open_snapshot(build_snapshot(tmp_path, layout).root)
    conn = connect(":memory:")
    init_schema(conn)
    rows = extract_partition(conn, snapshot, snapshot.partitions()[0]).rows
    conn.register("extracted", rows.to_arrow())
    conn.execute(
        "INSERT INTO raw.openalex_snapshot_works BY NAME SELECT *, 'openalex_snapshot@test' AS source, "
        "'snapshot' AS source_mode, now() AS retrieved_at, 'test' AS load_id FROM extracted"
    )
    conn.execute("SET VARIABLE source_mode = 'snapshot'")
    conn.execute("SET VARIABLE year_first = 2000")
    conn.execute("SET VARIABLE year_last = 2100")
    records = {r["work_id"]: r for r in fetch_dicts(conn, sql_text("core/work_records.sql"))}
    first = records[f"{OPENALEX}W1"]  # CN author 1; author 2 at US (I2) and CN (I1); field 31 in domain 1
    assert (first["field_id"], first["field"]) == (f"{OPENALEX}fields/31", "Synthetic field 31")
    assert (first["domain_id"], first["domain"]) == (f"{OPENALEX}domains/1", "Synthetic domain 1")
    assert [a["author"]["id"] for a in first["authorships"]] == [f"{OPENALEX}A5000000001", f"{OPENALEX}A5000000002"]
    assert first["authorships"][1]["institutions"] == [
        {
            "id": f"{OPENALEX}I2",
            "country_code": "US",
            "display_name": "Synthetic Institute 2",
            "ror": "https://ror.org/0syn00002",
        },
        {
            "id": f"{OPENALEX}I1",
            "country_code": "CN",
            "display_name": "Synthetic Institute 1",
            "ror": "https://ror.org/0syn00001",
        },
    ]
    no_topic = records[f"{OPENALEX}W4"]  # no primary topic; an institution without a country
    assert (no_topic["field_id"], no_topic["field"], no_topic["domain_id"], no_topic["domain"]) == (None,) * 4
    assert no_topic["authorships"][0]["institutions"][0]["display_name"] == "Synthetic Institute 7"


def test_a_previous_release_warehouse_gets_the_new_snapshot_columns(tmp_path):
    conn = connect(previous_release_warehouse(tmp_path / "old.duckdb"))
    init_schema(conn)  # migration 0002 adds them; core.work_records then reads the table in snapshot mode
    columns = dict(table_columns(conn, "raw.openalex_snapshot_works"))
    assert {"authors", "field_id", "field", "domain_id", "domain"} <= columns.keys()
    conn.execute("SET VARIABLE source_mode = 'snapshot'")
    conn.execute("SET VARIABLE year_first = 2000")
    conn.execute("SET VARIABLE year_last = 2100")
    assert fetch_dicts(conn, sql_text("core/work_records.sql")) == []


@pytest.mark.parametrize(
    ("variable", "value"), [("COLLAB_TIES_LOOKBACK_YEARS", "0"), ("COLLAB_TIES_MAX_AUTHORS", "one")]
)
def test_bad_settings_are_refused_by_name(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings({"COLLAB_MODE": "sample", variable: value})
