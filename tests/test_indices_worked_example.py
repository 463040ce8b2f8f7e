"""The 6-paper worked example of docs/methods.md#worked-example, run through the real SQL chain (raw → core → mart).

Every expected value is the exact Fraction of that table; the anti-tests pin the wrong answers
a bug would give. The macros are also tested on their own in plain DuckDB (NULL, never 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction as F

import duckdb
import pytest

from pipeline.warehouse import sql_text
from tests.sqlharness import bilateral, build_marts, country, fetch_dicts, work, work_id

YEAR = 2020


def approx(value: F | float) -> object:
    return pytest.approx(float(value), rel=1e-12, abs=1e-12)


def worked_example() -> list[dict]:
    return [
        work("P1", YEAR, [["CN"], ["CN", "US"], ["US"], ["US"]]),  # a2: Tsinghua + MIT
        work("P2", YEAR, [["CN"], ["CN"], ["US"], ["DE"], ["DE"]]),
        work("P3", YEAR, [["CN"], ["CN"], ["CN"]]),
        work("P4", YEAR, [["US"], ["US"]]),
        work("P5", YEAR, [["HK"], ["HK"], ["DE"]]),
        work("P6", YEAR, [["US"], ["DE"], ["DE"]]),
    ]


# docs/methods.md#worked-example: the `separate` column and the `greater_china` (HK → CN) column.
EXPECTED = {
    "separate": {
        "N_CN": 3,
        "N_US": 4,
        "C_CN_US": 2,
        "C_CN_int": 2,
        "C_US_int": 3,
        "Share_CN": F(71, 40),
        "Share_US": F(259, 120),
        "CS": F(8, 5),
        "Salton": None,  # √3/3, irrational: checked against math.sqrt below
        "Jaccard": F(2, 5),
        "a_CN_US": F(1),
        "a_US_CN": F(2, 3),
        "E": F(3, 2),
        "OE": F(4, 3),
    },
    "greater_china": {
        "N_CN": 4,
        "N_US": 4,
        "C_CN_US": 2,
        "C_CN_int": 3,
        "C_US_int": 3,
        "Share_CN": F(293, 120),
        "Share_US": F(259, 120),
        "CS": F(8, 5),
        "Salton": F(1, 2),
        "Jaccard": F(1, 3),
        "a_CN_US": F(2, 3),
        "a_US_CN": F(2, 3),
        "E": F(9, 4),
        "OE": F(8, 9),
    },
}
SALTON_SEPARATE = math.sqrt(3) / 3


@pytest.fixture(scope="module", params=["separate", "greater_china"])
def example(request: pytest.FixtureRequest) -> Iterator[tuple[str, duckdb.DuckDBPyConnection]]:
    conn = build_marts(worked_example(), {"COLLAB_TERRITORY_POLICY": request.param})
    yield request.param, conn
    conn.close()


def test_full_counts(example: tuple[str, duckdb.DuckDBPyConnection]) -> None:
    policy, conn = example
    exp = EXPECTED[policy]
    cn, us = country(conn, "CN", YEAR), country(conn, "US", YEAR)
    assert (cn["papers"], us["papers"]) == (exp["N_CN"], exp["N_US"])
    assert (cn["intl_papers"], us["intl_papers"]) == (exp["C_CN_int"], exp["C_US_int"])
    row = bilateral(conn, "CN", "US", YEAR)
    assert (row["papers_a"], row["papers_b"]) == (exp["N_CN"], exp["N_US"])
    assert (row["intl_papers_a"], row["intl_papers_b"]) == (exp["C_CN_int"], exp["C_US_int"])
    assert row["coauthored"] == exp["C_CN_US"]
    assert row["world_papers"] == 6
    assert row["world_intl_papers"] == 4
    assert row["territory_policy"] == policy
    assert cn["territory_policy"] == policy


def test_shares(example: tuple[str, duckdb.DuckDBPyConnection]) -> None:
    policy, conn = example
    exp = EXPECTED[policy]
    assert country(conn, "CN", YEAR)["share"] == approx(exp["Share_CN"])
    assert country(conn, "US", YEAR)["share"] == approx(exp["Share_US"])
    hk = fetch_dicts(conn, "SELECT * FROM mart.country_papers WHERE country = 'HK'")
    if policy == "separate":
        assert [r["share"] for r in hk] == [approx(F(2, 3))]
    else:
        assert hk == []  # merged into CN: no HK row at all
    assert country(conn, "DE", YEAR)["share"] == approx(F(7, 5))
    # the worked example's check: total Share = N_W = 6 (no unlocated authors in the example)
    total = conn.execute("SELECT sum(share) FROM mart.country_papers WHERE paper_set = 'all'").fetchone()[0]
    assert total == approx(6)


def test_bilateral_indices(example: tuple[str, duckdb.DuckDBPyConnection]) -> None:
    policy, conn = example
    exp = EXPECTED[policy]
    cn_us, us_cn = bilateral(conn, "CN", "US", YEAR), bilateral(conn, "US", "CN", YEAR)
    salton = SALTON_SEPARATE if exp["Salton"] is None else exp["Salton"]
    for row in (cn_us, us_cn):  # symmetric indices: the same in both rows
        assert row["collaboration_score"] == approx(exp["CS"])
        assert row["salton"] == approx(salton)
        assert row["jaccard"] == approx(exp["Jaccard"])
        assert row["expected_coauthored"] == approx(exp["E"])
        assert row["observed_expected"] == approx(exp["OE"])
    assert cn_us["affinity"] == approx(exp["a_CN_US"])
    assert us_cn["affinity"] == approx(exp["a_US_CN"])
    # the CS parts: s_CN and s_US summed over P1 and P2
    assert cn_us["share_a_joint"] == approx(F(3, 8) + F(2, 5))
    assert cn_us["share_b_joint"] == approx(F(5, 8) + F(1, 5))
    assert (us_cn["share_a_joint"], us_cn["share_b_joint"]) == (
        approx(cn_us["share_b_joint"]),
        approx(cn_us["share_a_joint"]),
    )


def test_anti_values(example: tuple[str, duckdb.DuckDBPyConnection]) -> None:
    """Anti-tests of the worked example: the wrong answers a bug would give must not come out."""
    policy, conn = example
    row = bilateral(conn, "CN", "US", YEAR)
    if policy == "separate":
        # NSF index on all papers instead of international ones: (2/3)/(4/6) = 1
        assert row["observed_expected"] != approx(1)
        assert row["observed_expected"] != approx(F(2, 3) / F(4, 6))
        # Salton without the square root: 2/(3·4) = 1/6
        assert row["salton"] != approx(F(1, 6))
        # CS keeping DE's piece of P2: 1 + (2/5 + 1/5 + 2/5) = 2
        assert row["collaboration_score"] != approx(2)
    # P1 without the affiliation split would sum to 5/4; with it the pieces sum to 1
    p1 = fetch_dicts(
        conn, "SELECT country, share FROM core.work_country_shares WHERE work_id = ? ORDER BY country", [work_id("P1")]
    )
    assert {r["country"]: r["share"] for r in p1} == {"CN": approx(F(3, 8)), "US": approx(F(5, 8))}
    assert sum(r["share"] for r in p1) == approx(1)
    assert sum(r["share"] for r in p1) != approx(F(5, 4))
    # full counts are never added up to a world total: Σ N_A = 3+4+1+3 (or 4+4+3) > N_W = 6
    n_sum = conn.execute("SELECT sum(papers) FROM mart.country_papers WHERE paper_set = 'all'").fetchone()[0]
    assert n_sum > row["world_papers"] == 6


def test_every_paper_shares_sum_to_one(example: tuple[str, duckdb.DuckDBPyConnection]) -> None:
    _, conn = example
    sums = conn.execute("SELECT work_id, sum(share) FROM core.work_country_shares GROUP BY work_id").fetchall()
    assert len(sums) == 6
    assert all(s == approx(1) for _, s in sums)


def test_hk_policy_moves_papers() -> None:
    """Greater China: P5 (HK+DE) becomes CN+DE, so HK-DE disappears and CN-DE gains P5."""
    sep = build_marts(worked_example())
    gc = build_marts(worked_example(), {"COLLAB_TERRITORY_POLICY": "greater_china"})
    try:
        assert bilateral(sep, "HK", "DE", YEAR)["coauthored"] == 1
        assert fetch_dicts(gc, "SELECT * FROM mart.bilateral_papers WHERE 'HK' IN (country_a, country_b)") == []
        assert bilateral(sep, "CN", "DE", YEAR)["coauthored"] == 1  # P2
        assert bilateral(gc, "CN", "DE", YEAR)["coauthored"] == 2  # P2, P5
        assert bilateral(gc, "CN", "DE", YEAR)["collaboration_score"] == approx(F(2, 5) + F(2, 5) + 1)
    finally:
        sep.close()
        gc.close()


def test_cn_hk_paper_becomes_domestic() -> None:
    works = [work("Q1", YEAR, [["CN"], ["HK"]]), work("Q2", YEAR, [["US"], ["DE"]])]
    sep = build_marts(works)
    gc = build_marts(works, {"COLLAB_TERRITORY_POLICY": "greater_china"})
    try:
        assert bilateral(sep, "CN", "HK", YEAR)["coauthored"] == 1
        assert bilateral(sep, "CN", "HK", YEAR)["world_intl_papers"] == 2
        cn = country(gc, "CN", YEAR)
        assert (cn["papers"], cn["intl_papers"], cn["share"]) == (1, 0, approx(1))  # counted once, domestic
        assert bilateral(gc, "US", "DE", YEAR)["world_intl_papers"] == 1
    finally:
        sep.close()
        gc.close()


def test_excluded_and_unlocated_works_change_nothing() -> None:
    """Paratext, retracted, other types and works outside the years stay out of every index;
    an unlocated universe paper is in no country count and not in N_W, its Share goes to UNK."""
    extra = [
        work("X1", YEAR, [["CN"], ["US"]], is_paratext=True),
        work("X2", YEAR, [["CN"], ["US"]], is_retracted=True),
        work("X3", YEAR, [["CN"], ["US"]], type="review"),
        work("X4", YEAR, [[], {"countries": []}, [None]]),
    ]
    conn = build_marts(worked_example() + extra)
    try:
        row = bilateral(conn, "CN", "US", YEAR)
        assert (row["papers_a"], row["papers_b"], row["coauthored"]) == (3, 4, 2)
        assert (row["world_papers"], row["world_intl_papers"]) == (6, 4)
        assert row["observed_expected"] == approx(F(4, 3))
        assert country(conn, "CN", YEAR)["share"] == approx(F(71, 40))
        reasons = dict(conn.execute("SELECT work_id, excluded_reason FROM core.works WHERE NOT in_universe").fetchall())
        assert reasons == {work_id("X1"): "paratext", work_id("X2"): "retracted", work_id("X3"): "other_type"}
        unk = fetch_dicts(
            conn, "SELECT country, share FROM core.work_country_shares WHERE work_id = ?", [work_id("X4")]
        )
        assert unk == [{"country": "UNK", "share": approx(1)}]
        quality = fetch_dicts(conn, "SELECT * FROM mart.papers_quality")[0]
        assert (quality["works_seen"], quality["works_in_universe"]) == (10, 7)
        assert quality["universe_works_unlocated"] == 1
    finally:
        conn.close()


def test_single_dual_affiliated_author_is_international() -> None:
    """§3/§5: one author with CN+US addresses: the paper is in I and CS = ½ + ½ = 1."""
    conn = build_marts([work("D1", YEAR, [["CN", "US"]])])
    try:
        row = bilateral(conn, "CN", "US", YEAR)
        assert (row["coauthored"], row["world_intl_papers"]) == (1, 1)
        assert row["collaboration_score"] == approx(1)
        assert row["observed_expected"] == approx(1)
    finally:
        conn.close()


def test_affiliation_split_rules() -> None:
    """docs/methods.md#countries-authors-and-affiliations-of-a-paper: institutions CN, CN, US give CN 2/3 and
    US 1/3 of the author's piece; identical institutions are deduped first; `countries` without institutions
    gives one piece per country; an institution without a country is an UNK piece; a country listed twice is
    one piece."""
    conn = build_marts(
        [
            work("S1", YEAR, [["CN", "CN", "US"], ["US"]]),
            work("S2", YEAR, [{"institutions": [("I1", "CN"), ("I1", "CN"), ("I2", "US")]}]),
            work("S3", YEAR, [{"countries": ["CN", "US"]}, ["DE"]]),
            work("S4", YEAR, [["CN", None], []]),
            work("S5", YEAR, [{"countries": ["CN", "CN", "US"]}]),
        ]
    )
    try:
        shares = {
            (r[0].rsplit("/", 1)[1], r[1]): r[2]
            for r in conn.execute("SELECT * FROM core.work_country_shares").fetchall()
        }
        assert shares == {
            ("S1", "CN"): approx(F(1, 3)),
            ("S1", "US"): approx(F(1, 6) + F(1, 2)),
            ("S2", "CN"): approx(F(1, 2)),
            ("S2", "US"): approx(F(1, 2)),
            ("S3", "CN"): approx(F(1, 4)),
            ("S3", "US"): approx(F(1, 4)),
            ("S3", "DE"): approx(F(1, 2)),
            ("S4", "CN"): approx(F(1, 4)),
            ("S4", "UNK"): approx(F(3, 4)),
            ("S5", "CN"): approx(F(1, 2)),
            ("S5", "US"): approx(F(1, 2)),
        }
    finally:
        conn.close()


def test_nature_index_paper_set() -> None:
    """Works with an ISSN of a fixed-set Nature Index journal form the 'nature_index' paper set."""
    ni_issn = "0935-9648"  # Advanced Materials, in the fixed set
    conn = build_marts(
        [
            work("N1", YEAR, [["CN"], ["US"]], issn=[ni_issn]),
            work("N2", YEAR, [["CN"], ["US"]], issn=["9999-0000"]),
            work("N3", YEAR, [["CN"], ["US"]]),
        ]
    )
    try:
        assert bilateral(conn, "CN", "US", YEAR, "all")["coauthored"] == 3
        ni = bilateral(conn, "CN", "US", YEAR, "nature_index")
        assert (ni["coauthored"], ni["world_papers"], ni["world_intl_papers"]) == (1, 1, 1)
        assert country(conn, "CN", YEAR, "nature_index")["share"] == approx(F(1, 2))
    finally:
        conn.close()


# ---- the macros on their own, in plain DuckDB ------------------------------------------------


@pytest.fixture(scope="module")
def macros() -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect()
    conn.execute(sql_text("macros/indices.sql"))
    yield conn
    conn.close()


def _value(conn: duckdb.DuckDBPyConnection, expr: str) -> object:
    return conn.execute(f"SELECT {expr}").fetchone()[0]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("salton(2, 3, 4)", 2 / math.sqrt(12)),
        ("jaccard(2, 3, 4)", F(2, 5)),
        ("affinity(2, 3)", F(2, 3)),
        ("expected_coauthored(2, 3, 4)", F(3, 2)),
        ("observed_expected(2, 2, 3, 4)", F(4, 3)),
        ("collaboration_score(0.775::DOUBLE, 0.825::DOUBLE)", F(8, 5)),
        ("salton(0, 3, 4)", 0),  # a known zero stays zero
        ("jaccard(0, 3, 4)", 0),
        ("observed_expected(0, 2, 3, 4)", 0),
        ("salton(5, 5, 5)", 1),
        ("jaccard(5, 5, 5)", 1),
    ],
)
def test_macro_values(macros: duckdb.DuckDBPyConnection, expr: str, expected: F | float) -> None:
    assert _value(macros, expr) == approx(expected)


@pytest.mark.parametrize(
    "expr",
    [
        # denominators 0
        "salton(0, 0, 4)",
        "salton(0, 4, 0)",
        "salton(0, 0, 0)",
        "jaccard(0, 0, 0)",
        "jaccard(0, 0, 4)",
        "jaccard(0, 4, 0)",  # §4: null if N_A or N_B = 0
        "affinity(0, 0)",
        "affinity(1, 0)",
        "expected_coauthored(2, 3, 0)",
        "observed_expected(0, 0, 3, 4)",
        "observed_expected(0, 3, 0, 4)",
        "observed_expected(1, 2, 3, 0)",
        # NULL inputs
        "salton(NULL, 3, 4)",
        "salton(2, NULL, 4)",
        "salton(2, 3, NULL)",
        "jaccard(NULL, 3, 4)",
        "jaccard(2, NULL, 4)",
        "jaccard(2, 3, NULL)",
        "affinity(NULL, 3)",
        "affinity(2, NULL)",
        "expected_coauthored(NULL, 3, 4)",
        "expected_coauthored(2, NULL, 4)",
        "expected_coauthored(2, 3, NULL)",
        "observed_expected(NULL, 2, 3, 4)",
        "observed_expected(2, NULL, 3, 4)",
        "observed_expected(2, 2, NULL, 4)",
        "observed_expected(2, 2, 3, NULL)",
        "collaboration_score(NULL, 0.5)",
        "collaboration_score(0.5, NULL)",
        "collaboration_score(NULL, NULL)",
    ],
)
def test_macro_null_never_zero(macros: duckdb.DuckDBPyConnection, expr: str) -> None:
    assert _value(macros, expr) is None


def test_macros_return_double(macros: duckdb.DuckDBPyConnection) -> None:
    """Integer inputs must not be integer-divided (2/3 → 0)."""
    assert _value(macros, "affinity(2::BIGINT, 3::BIGINT)") == approx(F(2, 3))
    assert _value(macros, "observed_expected(2::INTEGER, 2::INTEGER, 3::INTEGER, 4::INTEGER)") == approx(F(4, 3))
    assert _value(macros, "jaccard(1::HUGEINT, 2::HUGEINT, 2::HUGEINT)") == approx(F(1, 3))
