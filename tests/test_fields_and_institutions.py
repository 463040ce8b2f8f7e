"""mart.bilateral_papers_by_field, mart.field_change and mart.institution_pairs on hand-made works with known answers.

The works are written straight into core.work_records in its agreed shape (author ids; institution id, country,
name and ROR; the primary topic's field and domain), then the real SQL chain runs from core.works on, through
the gate with the marts' own suites. Every expected value is computed here in plain Python with Fractions from
the same hand-made works (docs/methods.md#share-fractional-counting), not by the SQL; a few are pinned by hand.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from fractions import Fraction as F
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from assets.papers import BOOTSTRAP_TABLES, CORE_RECORD_TABLES, COUNT_TABLES
from assets.reference.countries import countries_frame, territory_frame
from assets.reference.journals import journals_frame
from pipeline import fields_suites
from pipeline.dictionary import undocumented
from pipeline.settings import load_settings
from pipeline.validation import validate_query
from pipeline.warehouse import TableLoad, connect, init_schema, load_gated, set_variables, sql_text
from tests.sqlharness import REFERENCE_LOADS, build_marts, fetch_dicts

OA = "https://openalex.org/"
YEARS = list(range(2016, 2022))
BEFORE, AFTER = (2016, 2018), (2019, 2021)  # COLLAB_BREAK_YEARS=2018: [B-2, B] and [max(B+1, L-2), L]
PHYS, HEALTH = (OA + "domains/3", "Physical Sciences"), (OA + "domains/4", "Health Sciences")
FIELDS = {
    "energy": (OA + "fields/21", "Energy", *PHYS),
    "astro": (OA + "fields/31", "Physics and Astronomy", *PHYS),
    "med": (OA + "fields/27", "Medicine", *HEALTH),
    None: (None, None, None, None),
}
INSTITUTIONS = {  # id → (country, name, ROR)
    "I1": ("CN", "Tsinghua University", "https://ror.org/03cve4549"),
    "I2": ("CN", "Peking University", "https://ror.org/02v51f717"),
    "I3": ("US", "Massachusetts Institute of Technology", "https://ror.org/042nb2s44"),
    "I4": ("US", "Harvard University", None),
    "I5": ("DE", "Max Planck Society", "https://ror.org/01hhn8329"),
}
ACS_NANO, AJHG = "1936-0851", "0002-9297"  # Nature Index: Physical Sciences; Biological Sciences
SUBJECTS = {ACS_NANO: "Physical Sciences", AJHG: "Biological Sciences"}

# One author: institution keys (["I1", "I2"]: two affiliations), ("countries", [...]) for an author with only
# the countries field, or [] for an unlocated author.
Author = Sequence[str] | tuple[str, Sequence[str]]
# CN–US joint bylines, used in turn: a CN author with two CN institutions, an author with only the countries
# field, an unlocated author, a DE co-author (a third country's pieces are not in the score).
JOINT_BYLINES: list[list[Author]] = [
    [["I1"], ["I3"]],
    [["I1", "I2"], ["I3"], ["I4"], ["I5"]],
    [["I1"], ("countries", ["US"]), ["I3"], []],
    [["I2"], ["I2", "I4"], ["I3"]],
]
JOINT_PER_YEAR = {"energy": [3, 3, 3, 1, 1, 1], "astro": [1] * 6, "med": [1, 0, 2, 2, 2, 2], None: [0, 0, 0, 1, 0, 0]}
JOURNAL = {("astro", 2017): ACS_NANO, ("astro", 2020): ACS_NANO, ("med", 2019): AJHG}
OTHER_BYLINES = {  # each year, in every field but None: domestic and third-country papers
    "cn_only": [["I1"], ["I2"]],
    "us_only": [["I4"]],
    "us_de": [["I3"], ["I5"]],
    "cn_de": [["I2"], ["I5", "I1"]],
}


def record(key: str, year: int, field: str | None, authors: Sequence[Author], issn: str | None = None) -> dict:
    """A core.work_records row in the agreed shape."""
    authorships = []
    for i, a in enumerate(authors):
        if isinstance(a, tuple):
            institutions, countries = [], list(a[1])
        else:
            institutions = [
                {
                    "id": OA + k,
                    "country_code": INSTITUTIONS[k][0],
                    "display_name": INSTITUTIONS[k][1],
                    "ror": INSTITUTIONS[k][2],
                }
                for k in a
            ]
            countries = sorted({INSTITUTIONS[k][0] for k in a})
        authorships.append({"author": {"id": f"{OA}A{key}x{i}"}, "institutions": institutions, "countries": countries})
    field_id, field_name, domain_id, domain = FIELDS[field]
    return {
        "work_id": OA + key,
        "publication_year": year,
        "countries": sorted({c for a in authorships for c in a["countries"]}),
        "issns": [issn] if issn else [],
        "authorships": authorships,
        "field_id": field_id,
        "field": field_name,
        "domain_id": domain_id,
        "domain": domain,
    }


def hand_made() -> list[dict]:
    works, n = [], 0
    for field, per_year in JOINT_PER_YEAR.items():
        for year, count in zip(YEARS, per_year, strict=True):
            for _ in range(count):
                n += 1
                byline = JOINT_BYLINES[n % len(JOINT_BYLINES)]
                works.append(record(f"W{n}", year, field, byline, JOURNAL.get((field, year))))
    for field in ("energy", "astro", "med"):
        for year in YEARS:
            for byline in OTHER_BYLINES.values():
                n += 1
                works.append(record(f"W{n}", year, field, byline, ACS_NANO if (n % 5 == 0) else None))
    return works


# ---- the independent computation (plain Python, Fractions) ----


def pieces(author: dict) -> list[tuple[str | None, str]]:
    """(institution, country) pieces of an author (docs/methods.md#countries-authors-and-affiliations-of-a-paper)."""
    if author["institutions"]:
        return sorted({(i["id"], i["country_code"] or "UNK") for i in author["institutions"]}, key=str)
    if author["countries"]:
        return [(None, c) for c in sorted(set(author["countries"]))]
    return [(None, "UNK")]


def unit_shares(w: dict) -> dict[tuple[str | None, str], F]:
    """s_i(p) per (institution, country); pieces without an institution under None."""
    out: dict[tuple[str | None, str], F] = defaultdict(F)
    n = len(w["authorships"])
    for a in w["authorships"]:
        ps = pieces(a)
        for p in ps:
            out[p] += F(1, n * len(ps))
    return out


def country_shares(w: dict) -> dict[str, F]:
    out: dict[str, F] = defaultdict(F)
    for (_, c), s in unit_shares(w).items():
        out[c] += s
    return out


def paper_sets(w: dict) -> list[str]:
    return ["all", "nature_index"] if w["issns"] else ["all"]


def groups(w: dict, paper_set: str) -> list[tuple[str, str]]:
    out = [("field", w["field_id"] or "none"), ("domain", w["domain_id"] or "none")]
    if paper_set == "nature_index":
        out.append(("subject_group", SUBJECTS[w["issns"][0]]))
    return out


def expected_by_field(works: list[dict], a: str, b: str) -> dict[tuple, dict[str, Any]]:
    """(year, paper_set, level, field_id) → the figures of the pair (a, b) within that group."""
    tally: dict[tuple, dict[str, Any]] = defaultdict(lambda: defaultdict(F))
    for w in works:
        k, s = set(w["countries"]), country_shares(w)
        for ps in paper_sets(w):
            for level, gid in groups(w, ps):
                t = tally[w["publication_year"], ps, level, gid]
                t["world_papers"] += len(k) >= 1
                t["world_intl_papers"] += len(k) >= 2
                for side, c in (("a", a), ("b", b)):
                    t[f"papers_{side}"] += c in k
                    t[f"intl_papers_{side}"] += c in k and len(k) >= 2
                    t[f"share_{side}"] += s.get(c, 0)
                if {a, b} <= k:
                    t["coauthored"] += 1
                    t["share_a_joint"] += s.get(a, 0)
                    t["share_b_joint"] += s.get(b, 0)
    for t in tally.values():
        t["collaboration_score"] = t["share_a_joint"] + t["share_b_joint"]
        den = t["intl_papers_a"] * t["intl_papers_b"]
        t["observed_expected"] = F(t["coauthored"] * t["world_intl_papers"], den) if den else None
    return tally


def expected_institution_pairs(works: list[dict], a: str, b: str) -> dict[tuple, list]:
    """(year, paper_set, institution_a, institution_b) → [joint papers, contribution, Nature Index pair score]."""
    out: dict[tuple, list] = defaultdict(lambda: [0, F(0), F(0)])
    for w in works:
        if not {a, b} <= set(w["countries"]):
            continue
        units = unit_shares(w)
        side = {c: {i: s for (i, cc), s in units.items() if cc == c} for c in (a, b)}
        s_a, s_b = sum(side[a].values(), F(0)), sum(side[b].values(), F(0))
        for ps in paper_sets(w):
            for i, si in side[a].items():
                for j, sj in side[b].items():
                    row = out[w["publication_year"], ps, i, j]
                    row[0] += 1
                    row[1] += (s_a + s_b) * (si / s_a) * (sj / s_b)
                    row[2] += si + sj
    return out


# ---- the warehouse ----

RECORD_SCHEMA = json.dumps(
    {
        "work_id": "VARCHAR",
        "publication_year": "INTEGER",
        "countries": ["VARCHAR"],
        "issns": ["VARCHAR"],
        "authorships": [
            {
                "author": {"id": "VARCHAR"},
                "institutions": [
                    {"id": "VARCHAR", "country_code": "VARCHAR", "display_name": "VARCHAR", "ror": "VARCHAR"}
                ],
                "countries": ["VARCHAR"],
            }
        ],
        "field_id": "VARCHAR",
        "field": "VARCHAR",
        "domain_id": "VARCHAR",
        "domain": "VARCHAR",
    }
)
WORK_RECORDS_SQL = f"""
CREATE OR REPLACE TABLE core.work_records AS
SELECT r.work_id, r.publication_year, 'article' AS type, false AS is_paratext, false AS is_retracted,
       false AS is_authors_truncated, false AS authors_refetched, len(r.authorships) AS n_authorships,
       r.countries, r.issns, r.authorships, r.field_id, r.field, r.domain_id, r.domain,
       'openalex' AS source, getvariable('source_mode') AS source_mode,
       TIMESTAMPTZ '2025-01-01 00:00:00+00' AS retrieved_at
FROM (SELECT unnest(from_json(doc, '{RECORD_SCHEMA}')) FROM incoming_records) AS r
"""
MINE = {
    "mart.bilateral_papers_by_field": fields_suites.mart_bilateral_papers_by_field,
    "mart.field_change": fields_suites.mart_field_change,
    "mart.institution_pairs": fields_suites.mart_institution_pairs,
}


def mart_load(table: str, suites: bool = True) -> TableLoad:
    suite = functools.partial(MINE[table], tolerance=0.5) if suites else (lambda previous: ())
    return TableLoad(table, sql_text(f"mart/{table.split('.')[1]}.sql"), suite)


def build(works: list[dict], mode: str = "sample") -> duckdb.DuckDBPyConnection:
    """Records → core → counts → mart.bilateral_papers → the three marts (with their suites in records modes).
    Live mode: the same SQL with source_mode 'live' (the count tables need group_by answers, so only the
    records tables and the three marts are built, without the suites that read mart.bilateral_papers)."""
    settings = load_settings(
        {
            "COLLAB_MODE": "sample",
            "COLLAB_YEARS": "2016-2021",
            "COLLAB_BREAK_YEARS": "2018,2020",
            "COLLAB_FOCUS": "CN,US",
            "COLLAB_BOOTSTRAP_REPLICATES": "20",
        }
    )
    conn = connect(":memory:")
    init_schema(conn)
    set_variables(conn, settings, load_id="fields", scope_first=YEARS[0], scope_last=YEARS[-1])
    conn.execute("SET VARIABLE source_mode = ?", [mode])
    for name, frame in (
        ("countries", countries_frame()),
        ("territory", territory_frame()),
        ("journals", journals_frame()),
    ):
        conn.register(f"incoming_{name}", frame.to_arrow())
    conn.register("incoming_records", pa.table({"doc": [json.dumps(w) for w in works]}))
    load_gated(conn, REFERENCE_LOADS)
    conn.execute(WORK_RECORDS_SQL)
    core = [
        TableLoad(t, sql_text(f"core/{t.split('.')[1]}.sql")) for t in CORE_RECORD_TABLES if t != "core.work_records"
    ]
    if mode == "live":
        load_gated(conn, [*core, *(mart_load(t, suites=False) for t in MINE)])
        return conn
    counts = [TableLoad(t, sql_text(f"core/{t.split('.')[1]}.records.sql")) for t in COUNT_TABLES]
    counts += [TableLoad(t, sql_text(f"core/{t.split('.')[1]}.sql")) for t in BOOTSTRAP_TABLES]
    bilateral = TableLoad("mart.bilateral_papers", sql_text("mart/bilateral_papers.sql"))
    load_gated(conn, [*core, *counts, bilateral, *(mart_load(t) for t in MINE)])
    return conn


@pytest.fixture(scope="module")
def works() -> list[dict]:
    return hand_made()


@pytest.fixture(scope="module")
def built(works: list[dict]) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = build(works)
    yield conn
    conn.close()


def approx(value: F | float | None) -> object:
    return None if value is None else pytest.approx(float(value), rel=1e-12, abs=1e-12)


def rows(conn: duckdb.DuckDBPyConnection, table: str, where: str = "true", params: Sequence[Any] = ()) -> list[dict]:
    return fetch_dicts(conn, f"SELECT * FROM {table} WHERE {where}", params)


# ---- by field ----

COMPARED = (
    "papers_a",
    "papers_b",
    "intl_papers_a",
    "intl_papers_b",
    "share_a",
    "share_b",
    "world_papers",
    "world_intl_papers",
    "coauthored",
    "share_a_joint",
    "share_b_joint",
    "collaboration_score",
    "observed_expected",
)


def test_by_field_equals_the_independent_computation(built, works):
    for a, b in (("CN", "US"), ("US", "CN"), ("US", "DE"), ("CN", "DE")):
        expected = expected_by_field(works, a, b)
        got = {
            (r["year"], r["paper_set"], r["level"], r["field_id"]): r
            for r in rows(built, "mart.bilateral_papers_by_field", "country_a = ? AND country_b = ?", [a, b])
        }
        # every group with a joint paper of the pair in some year, zero-filled over every year
        joint_groups = {k[1:] for k, t in expected.items() if t["coauthored"]}
        assert set(got) == {(y, *g) for g in joint_groups for y in YEARS}, (a, b)
        for key, row in got.items():
            exp = expected.get(key) or defaultdict(F, observed_expected=None)
            for column in COMPARED:
                assert row[column] == approx(exp[column]), (a, b, key, column)
            assert row["count_basis"] == "records" and row["method"].startswith("records")


def test_by_field_labels_levels_and_the_subject_group(built):
    labels = fetch_dicts(
        built,
        "SELECT DISTINCT level, field_id, field, domain FROM mart.bilateral_papers_by_field "
        "WHERE country_a = 'CN' AND country_b = 'US' ORDER BY ALL",
    )
    assert {(r["level"], r["field"], r["domain"]) for r in labels} == {
        ("field", "Energy", "Physical Sciences"),
        ("field", "Physics and Astronomy", "Physical Sciences"),
        ("field", "Medicine", "Health Sciences"),
        ("field", "No primary topic", "No primary topic"),
        ("domain", "Physical Sciences", "Physical Sciences"),
        ("domain", "Health Sciences", "Health Sciences"),
        ("domain", "No primary topic", "No primary topic"),
        ("subject_group", "Physical Sciences", None),
        ("subject_group", "Biological Sciences", None),
    }
    # the subject group is a grouping of the nature_index set only
    assert (
        built.execute(
            "SELECT count(*) FROM mart.bilateral_papers_by_field WHERE level = 'subject_group' "
            "AND paper_set <> 'nature_index'"
        ).fetchone()[0]
        == 0
    )
    # by hand: CN–US 2019 Medicine has 2 joint papers, both in AJHG: the Biological Sciences subject group
    med = rows(
        built,
        "mart.bilateral_papers_by_field",
        "country_a = 'CN' AND country_b = 'US' AND year = 2019 AND field = 'Medicine' AND paper_set = 'all'",
    )
    bio = rows(
        built,
        "mart.bilateral_papers_by_field",
        "country_a = 'CN' AND country_b = 'US' AND year = 2019 AND level = 'subject_group' AND coauthored > 0",
    )
    assert [r["coauthored"] for r in med] == [2] and [(r["field"], r["coauthored"]) for r in bio] == [
        ("Biological Sciences", 2)
    ]


def test_each_level_adds_up_to_bilateral_papers(built):
    """The groups of a level partition the pair's joint papers: Σ C_AB and Σ CS equal mart.bilateral_papers."""
    gaps = built.execute(
        "WITH s AS (SELECT country_a, country_b, year, paper_set, level, sum(coauthored) AS c, "
        "sum(collaboration_score) AS cs FROM mart.bilateral_papers_by_field GROUP BY ALL) "
        "SELECT count(*), max(abs(s.c - b.coauthored)), max(abs(s.cs - b.collaboration_score)) "
        "FROM s JOIN mart.bilateral_papers AS b USING (country_a, country_b, year, paper_set) "
        "WHERE b.coauthored > 0"
    ).fetchone()
    assert gaps[0] > 0 and gaps[1] == 0 and gaps[2] < 1e-12


def test_live_mode_gives_the_joint_figures_and_names_what_it_cannot(works):
    joint = [w for w in works if {"CN", "US"} <= set(w["countries"])]
    live, records = build(joint, mode="live"), build(works)
    try:
        got = rows(live, "mart.bilateral_papers_by_field")
        assert {(r["country_a"], r["country_b"]) for r in got} == {("CN", "US"), ("US", "CN")}
        same = ("coauthored", "share_a_joint", "share_b_joint", "collaboration_score")
        key = "country_a, country_b, year, paper_set, level, field_id"
        cols = f"{key}, {', '.join(same)}"
        pair = "country_a IN ('CN', 'US') AND country_b IN ('CN', 'US')"
        assert fetch_dicts(live, f"SELECT {cols} FROM mart.bilateral_papers_by_field ORDER BY ALL") == fetch_dicts(
            records, f"SELECT {cols} FROM mart.bilateral_papers_by_field WHERE {pair} ORDER BY ALL"
        )
        universe = ("papers_a", "intl_papers_b", "share_a", "world_papers", "salton", "observed_expected")
        assert all(r[c] is None for r in got for c in universe)
        assert all(r["method"].startswith("joint records only") and "NULL" in r["method"] for r in got)
        # the institution pairs need only the joint records: the same rows in both modes
        inst = (
            "SELECT * EXCLUDE (source_mode, collaboration_score_contribution), "
            "round(collaboration_score_contribution, 12) AS c FROM mart.institution_pairs ORDER BY ALL"
        )
        assert fetch_dicts(live, inst) == fetch_dicts(records, inst)
    finally:
        live.close()
        records.close()


# ---- change since the break ----


def test_field_change_windows_and_ranking(built, works):
    expected = expected_by_field(works, "CN", "US")
    got = rows(built, "mart.field_change", "country_a = 'CN' AND country_b = 'US' AND paper_set = 'all'")

    def mean(level: str, gid: str, column: str, window: tuple[int, int]) -> F:
        years = range(window[0], window[1] + 1)
        return sum((expected.get((y, "all", level, gid), {}).get(column, F(0)) for y in years), F(0)) / len(years)

    for r in got:
        assert (r["break_year"], r["before_first"], r["before_last"]) == (2018, *BEFORE)
        assert (r["after_first"], r["after_last"]) == AFTER
        for column in ("coauthored", "collaboration_score"):
            before, after = (
                mean(r["level"], r["field_id"], column, BEFORE),
                mean(r["level"], r["field_id"], column, AFTER),
            )
            assert r[f"{column}_before"] == approx(before) and r[f"{column}_after"] == approx(after)
            assert r[f"{column}_change"] == approx(after - before)
            assert r[f"{column}_change_pct"] == approx(after / before - 1 if before else None)
    ranked = {
        lvl: [r["field"] for r in sorted(got, key=lambda r: r["rank"]) if r["level"] == lvl]
        for lvl in ("field", "domain")
    }
    # by hand: Energy 3 → 1 a year (−2/3), Astronomy 1 → 1, Medicine 1 → 2, no primary topic 0 → ⅓ (no before)
    assert ranked["field"] == ["Energy", "Physics and Astronomy", "Medicine", "No primary topic"]
    assert ranked["domain"] == ["Physical Sciences", "Health Sciences", "No primary topic"]
    energy = next(r for r in got if r["field"] == "Energy")
    assert (energy["coauthored_before"], energy["coauthored_after"]) == (3, 1)
    assert energy["coauthored_change_pct"] == approx(F(-2, 3))


# ---- institution pairs ----


def test_institution_pairs_equal_the_independent_computation(built, works):
    expected = expected_institution_pairs(works, "CN", "US")
    got = rows(built, "mart.institution_pairs", "country_a = 'CN' AND country_b = 'US'")
    assert {
        (r["year"], r["paper_set"], r["institution_a_id"], r["institution_b_id"]): [
            r["joint_papers"],
            r["collaboration_score_contribution"],
            r["collaboration_score"],
        ]
        for r in got
    } == {k: [v[0], approx(v[1]), approx(v[2])] for k, v in expected.items()}
    mirror = rows(built, "mart.institution_pairs", "country_a = 'US' AND country_b = 'CN'")
    assert sorted(
        ((r["year"], r["paper_set"], r["institution_b_id"], r["institution_a_id"], r["joint_papers"]) for r in mirror),
        key=str,
    ) == sorted(((k[0], k[1], k[2], k[3], v[0]) for k, v in expected.items()), key=str)
    named = {r["institution_a_id"]: (r["institution_a"], r["institution_a_ror"]) for r in got}
    assert named[OA + "I1"] == ("Tsinghua University", "https://ror.org/03cve4549")
    assert named[OA + "I2"] == ("Peking University", "https://ror.org/02v51f717")
    assert {(r["institution_b"], r["institution_b_ror"]) for r in got if r["institution_b_id"] == OA + "I4"} == {
        ("Harvard University", None)
    }
    # the US author with only the countries field: the US side's row without an institution
    assert any(r["institution_b_id"] is None and r["institution_b"] is None for r in got)


def test_one_paper_by_hand():
    """CN–US paper, 4 authors: I1 | I1+I2 | I3 | I3+I5(DE). s_I1 = ¼+⅛, s_I2 = ⅛, s_CN = ½; s_I3 = ¼+⅛ = s_US,
    s_DE = ⅛; CS(p) = ⅞. I1–I3 gets ⅞·¾·1 = 21/32, I2–I3 gets ⅞·¼·1 = 7/32 (the literal product s_i·s_j would
    give 9/64 and 3/64, which add up to s_CN·s_US = 3/16, not to the score). Nature Index's own pair score
    s_i + s_j: I1–I3 ⅜ + ⅜ = ¾, I2–I3 ⅛ + ⅜ = ½ (together 5/4 > ⅞: not additive)."""
    w = record("W1", 2020, "energy", [["I1"], ["I1", "I2"], ["I3"], ["I3", "I5"]])
    conn = build([w])
    try:
        got = {
            r["institution_a"]: (
                r["rank"],
                r["joint_papers"],
                r["collaboration_score_contribution"],
                r["collaboration_score"],
            )
            for r in rows(conn, "mart.institution_pairs", "country_a = 'CN' AND paper_set = 'all'")
        }
        assert got == {
            "Tsinghua University": (1, 1, approx(F(21, 32)), approx(F(3, 4))),
            "Peking University": (2, 1, approx(F(7, 32)), approx(F(1, 2))),
        }
        score = conn.execute(
            "SELECT collaboration_score FROM mart.bilateral_papers WHERE country_a = 'CN' "
            "AND country_b = 'US' AND year = 2020 AND paper_set = 'all'"
        ).fetchone()[0]
        assert score == approx(F(7, 8))
    finally:
        conn.close()


def test_the_share_identity(built):
    """Σ over the institution pairs of a focus pair's year = its collaboration score in mart.bilateral_papers."""
    pairs = fetch_dicts(
        built,
        "SELECT b.country_a, b.country_b, b.year, b.paper_set, b.collaboration_score AS score, "
        "coalesce(sum(i.collaboration_score_contribution), 0) AS total FROM mart.bilateral_papers AS b "
        "LEFT JOIN mart.institution_pairs AS i USING (country_a, country_b, year, paper_set) "
        "WHERE b.country_a IN ('CN', 'US') AND b.country_b IN ('CN', 'US') GROUP BY ALL",
    )
    assert len(pairs) == 2 * 2 * len(YEARS)
    assert all(p["total"] == pytest.approx(p["score"], rel=1e-12, abs=1e-12) for p in pairs)
    assert all(p["score"] > 0 for p in pairs if p["paper_set"] == "all")


def test_institution_ranks_put_the_top_pairs_first(built):
    ranked = fetch_dicts(
        built,
        "SELECT year, paper_set, rank, collaboration_score_contribution AS c, joint_papers FROM mart.institution_pairs "
        "WHERE country_a = 'CN' AND country_b = 'US' ORDER BY year, paper_set, rank",
    )
    by_year: dict[tuple, list] = defaultdict(list)
    for r in ranked:
        by_year[r["year"], r["paper_set"]].append(r)
    for group in by_year.values():
        assert group[0]["rank"] == 1
        assert all(x["c"] >= y["c"] - 1e-12 for x, y in itertools.pairwise(group))


def test_every_column_is_documented(built):
    for table in MINE:
        schema, name = table.split(".")
        columns = [
            c
            for (c,) in built.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, name]
            ).fetchall()
        ]
        assert columns and undocumented(table, columns) == [], table


def api_payload(rec: dict) -> dict:
    """The same work as an OpenAlex API work object (what sample and live mode parse into core.work_records)."""
    topic = None
    if rec["field_id"]:
        topic = {
            "field": {"id": rec["field_id"], "display_name": rec["field"]},
            "domain": {"id": rec["domain_id"], "display_name": rec["domain"]},
        }
    source = {"issn": rec["issns"]} if rec["issns"] else None
    return {
        "id": rec["work_id"],
        "publication_year": rec["publication_year"],
        "type": "article",
        "is_paratext": False,
        "is_retracted": False,
        "is_authors_truncated": False,
        "primary_location": {"source": source},
        "primary_topic": topic,
        "authorships": rec["authorships"],
    }


def test_the_api_records_path_gives_the_same_rows(built, works):
    """The works as API objects through raw.openalex_works and core.work_records' parse (tests/sqlharness.py)."""
    conn = build_marts([api_payload(w) for w in works], {"COLLAB_YEARS": "2016-2021", "COLLAB_BREAK_YEARS": "2018"})
    try:
        load_gated(conn, [mart_load(t) for t in MINE])
        for table in MINE:
            query = f"SELECT * EXCLUDE (retrieved_at) FROM {table} ORDER BY ALL"
            assert _rounded(fetch_dicts(conn, query)) == _rounded(fetch_dicts(built, query)), table
    finally:
        conn.close()


def _rounded(rows: list[dict]) -> list[dict]:
    return [{k: round(v, 9) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


# ---- the suites can fail ----


@pytest.mark.parametrize(
    ("table", "tamper", "suite"),
    [
        (
            "mart.institution_pairs",
            "UPDATE {t} SET collaboration_score_contribution = collaboration_score_contribution * 1.01 WHERE rank = 1",
            "mart.institution_pairs:score_identity",
        ),
        (
            "mart.bilateral_papers_by_field",
            "DELETE FROM {t} WHERE level = 'field' AND field = 'Energy'",
            "mart.bilateral_papers_by_field:sums",
        ),
        ("mart.field_change", "UPDATE {t} SET rank = 0 WHERE rank = 1", "mart.field_change"),
    ],
)
def test_a_suite_catches_a_broken_table(works, table, tamper, suite):
    conn = build(works)
    try:
        conn.execute(tamper.format(t=table))
        [target] = [s for s in MINE[table](previous=0, tolerance=0.5) if s.name == suite]
        assert not validate_query(conn, target.view_sql.format(table=table), target).success
    finally:
        conn.close()
