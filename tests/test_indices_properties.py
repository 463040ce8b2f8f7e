"""Property tests of the SQL chain (raw → core → mart) on small random sets of papers.

Each example builds one in-memory warehouse with the real SQL and checks the invariants of
docs/methods.md#co-authorship-indices (symmetry, ranges, Share sums, C_AB ≤ min(N_A, N_B), CS ≤ C_AB) and
agreement with an independent pure-Python reference in exact Fractions (the worked example's Share recipe with the
rules of docs/methods.md#countries-authors-and-affiliations-of-a-paper).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction as F
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from pipeline.settings import TERRITORY_POLICIES
from tests.sqlharness import build_marts, fetch_dicts, work

ALPHABET = ("CN", "US", "DE", "HK", "GB")
YEARS = (2020, 2021)
NI_ISSN = "0935-9648"  # Advanced Materials: in the fixed Nature Index journal set
OTHER_ISSN = "9999-0000"
TOL = 1e-9

PROPERTY_SETTINGS = settings(
    derandomize=True,
    database=None,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Paper:
    year: int
    authors: list[Any]
    kind: str  # article | paratext | retracted | review
    nature_index: bool


@st.composite
def paper(draw: st.DrawFn) -> Paper:
    """A paper whose authors come from a pool of 1-3 countries (so domestic papers and repeated
    pairs are common). An author: institution country codes (None: an institution without a
    country; []: unlocated; two or more: dual affiliation), or only the `countries` field."""
    pool = draw(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=3, unique=True))
    institution_author = st.lists(
        st.one_of(st.sampled_from(pool), st.sampled_from(pool), st.sampled_from(pool), st.none()),
        min_size=0,
        max_size=3,
    )
    countries_author = st.builds(
        lambda codes: {"countries": codes}, st.lists(st.sampled_from(pool), max_size=2, unique=True)
    )
    return Paper(
        year=draw(st.sampled_from(YEARS)),
        authors=draw(
            st.lists(
                st.one_of(institution_author, institution_author, institution_author, countries_author),
                min_size=1,
                max_size=6,
            )
        ),
        kind=draw(st.sampled_from(("article", "article", "article", "article", "paratext", "retracted", "review"))),
        nature_index=draw(st.booleans()),
    )


papers = st.lists(paper(), min_size=1, max_size=8)

# docs/methods.md#worked-example, as an explicit example (HK separate, and merged)
WORKED_EXAMPLE = [
    Paper(2020, [["CN"], ["CN", "US"], ["US"], ["US"]], "article", True),
    Paper(2020, [["CN"], ["CN"], ["US"], ["DE"], ["DE"]], "article", False),
    Paper(2020, [["CN"], ["CN"], ["CN"]], "article", True),
    Paper(2020, [["US"], ["US"]], "article", False),
    Paper(2020, [["HK"], ["HK"], ["DE"]], "article", False),
    Paper(2021, [["US"], ["DE"], ["DE"]], "article", True),
]


def to_works(ps: Sequence[Paper]) -> list[dict]:
    return [
        work(
            f"H{i}",
            p.year,
            p.authors,
            type="review" if p.kind == "review" else "article",
            is_paratext=p.kind == "paratext",
            is_retracted=p.kind == "retracted",
            issn=[NI_ISSN] if p.nature_index else [OTHER_ISSN],
        )
        for i, p in enumerate(ps)
    ]


# ---- independent reference (exact) ------------------------------------------------------------


def affiliations(spec: Any) -> list[str | None]:
    """The affiliation pieces (docs/methods.md#countries-authors-and-affiliations-of-a-paper): institutions
    (each its code, None → UNK); else one per distinct `countries` code; else UNK."""
    if isinstance(spec, Mapping):
        return list(dict.fromkeys(spec["countries"])) or [None]
    return list(spec) or [None]


def author_countries(spec: Any) -> set[str]:
    return set(spec["countries"]) if isinstance(spec, Mapping) else {c for c in spec if c is not None}


def _counts() -> defaultdict:
    return defaultdict(int)


def _fractions() -> defaultdict:
    return defaultdict(F)


@dataclass
class Reference:
    papers: dict[tuple[int, str, str], int] = field(default_factory=_counts)  # (year, set, A) → N_A
    intl: dict[tuple[int, str, str], int] = field(default_factory=_counts)  # C_A^int
    share: dict[tuple[int, str, str], F] = field(default_factory=_fractions)  # Share_A (and UNK)
    joint: dict[tuple[int, str, str, str], int] = field(default_factory=_counts)  # C_AB
    score: dict[tuple[int, str, str, str], F] = field(default_factory=_fractions)  # CS_AB
    world: dict[tuple[int, str], int] = field(default_factory=_counts)  # N_W
    world_intl: dict[tuple[int, str], int] = field(default_factory=_counts)  # C_W^int
    universe: dict[tuple[int, str], int] = field(default_factory=_counts)  # papers in the set


def reference(ps: Sequence[Paper], policy: str) -> Reference:
    mapping = TERRITORY_POLICIES[policy]

    def m(code: str | None) -> str:
        return "UNK" if code is None else mapping.get(code, code)

    ref = Reference()
    for p in ps:
        if p.kind != "article":
            continue
        n = len(p.authors)
        s: dict[str, F] = defaultdict(F)
        for a in p.authors:
            affs = affiliations(a)
            for code in affs:
                s[m(code)] += F(1, n) / len(affs)
        k = {m(c) for a in p.authors for c in author_countries(a)}
        for paper_set in ("all", "nature_index") if p.nature_index else ("all",):
            y = p.year
            ref.universe[y, paper_set] += 1
            ref.world[y, paper_set] += len(k) >= 1
            ref.world_intl[y, paper_set] += len(k) >= 2
            for c, v in s.items():
                ref.share[y, paper_set, c] += v
            for a in k:
                ref.papers[y, paper_set, a] += 1
                ref.intl[y, paper_set, a] += len(k) >= 2
                for b in k - {a}:
                    ref.joint[y, paper_set, a, b] += 1
                    ref.score[y, paper_set, a, b] += s[a] + s[b]
    return ref


def close(value: float | None, expected: F | float | None) -> bool:
    if expected is None or value is None:
        return value is None and expected is None
    return math.isclose(value, float(expected), rel_tol=1e-12, abs_tol=1e-12)


# ---- the properties ---------------------------------------------------------------------------


def check_properties(conn: duckdb.DuckDBPyConnection, ps: Sequence[Paper], policy: str) -> None:
    ref = reference(ps, policy)
    bilateral = fetch_dicts(conn, "SELECT * FROM mart.bilateral_papers")
    countries = fetch_dicts(conn, "SELECT * FROM mart.country_papers")
    by_key = {(r["country_a"], r["country_b"], r["year"], r["paper_set"]): r for r in bilateral}
    years = range(min(p.year for p in ps), max(p.year for p in ps) + 1)

    # per-paper Share pieces (UNK included) sum to 1 for every work read
    sums = conn.execute("SELECT work_id, sum(share) FROM core.work_country_shares GROUP BY ALL").fetchall()
    assert len(sums) == len(ps)
    for wid, total in sums:
        assert close(total, 1), (wid, total)

    # Σ_c Share_c (country_papers + UNK) = number of papers in the set, per year
    for (year, paper_set), n in ref.universe.items():
        known = conn.execute(
            "SELECT coalesce(sum(share), 0) FROM mart.country_papers WHERE year = ? AND paper_set = ?",
            [year, paper_set],
        ).fetchone()[0]
        unk = conn.execute(
            "SELECT coalesce(sum(sh.share), 0) FROM core.work_country_shares AS sh "
            "JOIN core.paper_set_works AS s USING (work_id) WHERE sh.country = 'UNK' AND s.year = ? "
            "AND s.paper_set = ?",
            [year, paper_set],
        ).fetchone()[0]
        assert close(known + unk, n), (year, paper_set, known, unk, n)
        assert close(unk, ref.share.get((year, paper_set, "UNK"), 0))

    # country_papers = reference N_A, C_A^int, Share_A; every country with output has a row
    seen = {(r["country"], r["paper_set"]) for r in countries}
    expected_countries = {(c, s) for (_, s, c), v in ref.share.items() if c != "UNK" and v > 0}
    assert seen == expected_countries
    for r in countries:
        key = (r["year"], r["paper_set"], r["country"])
        assert r["territory_policy"] == policy
        assert (r["papers"], r["intl_papers"]) == (ref.papers.get(key, 0), ref.intl.get(key, 0)), r
        assert close(r["share"], ref.share.get(key, F(0))), (r, ref.share.get(key))
        assert r["intl_papers"] <= r["papers"]

    # the pairs: one row per ordered pair that co-authored in the range, for every year
    pairs = {(a, b, s) for (_, s, a, b) in ref.joint}
    assert {(a, b, s) for a, b, _, s in by_key} == pairs
    assert len(by_key) == len(pairs) * len(years) == len(bilateral)
    event(f"co-authoring pairs: {'yes' if pairs else 'none'}")
    event(f"nature_index pairs: {'yes' if any(s == 'nature_index' for *_, s in pairs) else 'none'}")
    event(f"some N_A = 0 row: {'yes' if any(r['papers_a'] == 0 for r in bilateral) else 'no'}")
    for (a, b, year, paper_set), r in by_key.items():
        ka, kb, kw = (year, paper_set, a), (year, paper_set, b), (year, paper_set)
        c_ab = ref.joint.get((year, paper_set, a, b), 0)
        n_a, n_b = ref.papers.get(ka, 0), ref.papers.get(kb, 0)
        i_a, i_b, i_w = ref.intl.get(ka, 0), ref.intl.get(kb, 0), ref.world_intl.get(kw, 0)

        # agreement with the reference
        assert (r["coauthored"], r["papers_a"], r["papers_b"]) == (c_ab, n_a, n_b), r
        assert (r["intl_papers_a"], r["intl_papers_b"], r["world_intl_papers"]) == (i_a, i_b, i_w), r
        assert r["world_papers"] == ref.world.get(kw, 0)
        assert close(r["collaboration_score"], ref.score.get((year, paper_set, a, b), F(0))), r
        oe = F(c_ab * i_w, i_a * i_b) if i_a and i_b and i_w else None
        assert close(r["observed_expected"], oe), (r, oe)
        assert close(r["expected_coauthored"], F(i_a * i_b, i_w) if i_w else None), r
        assert close(r["affinity"], F(c_ab, i_a) if i_a else None), r
        assert close(r["salton"], c_ab / math.sqrt(n_a * n_b) if n_a and n_b else None), r
        assert close(r["jaccard"], F(c_ab, n_a + n_b - c_ab) if n_a and n_b else None), r

        # invariants
        assert r["coauthored"] <= min(r["papers_a"], r["papers_b"])
        assert r["coauthored"] <= min(r["intl_papers_a"], r["intl_papers_b"]) <= r["world_intl_papers"]
        assert r["world_intl_papers"] <= r["world_papers"]
        assert r["collaboration_score"] <= r["coauthored"] + TOL
        assert r["collaboration_score"] >= 0
        if r["coauthored"] > 0:
            assert r["collaboration_score"] > 0
        for name in ("salton", "jaccard", "affinity"):
            assert r[name] is None or -TOL <= r[name] <= 1 + TOL, (name, r)
        if r["salton"] is not None:
            assert r["jaccard"] <= r["salton"] + TOL  # J ≤ cosine for sets

        # symmetry
        back = by_key[b, a, year, paper_set]
        assert back["coauthored"] == r["coauthored"]
        for name in ("salton", "jaccard", "collaboration_score", "observed_expected", "expected_coauthored"):
            assert close(back[name], r[name]), (name, r, back)
        assert close(back["share_a_joint"], r["share_b_joint"])


@PROPERTY_SETTINGS
@given(ps=papers, policy=st.sampled_from(tuple(TERRITORY_POLICIES)))
@example(ps=WORKED_EXAMPLE, policy="separate")
@example(ps=WORKED_EXAMPLE, policy="greater_china")
def test_sql_chain_properties(ps: list[Paper], policy: str) -> None:
    conn = build_marts(to_works(ps), {"COLLAB_TERRITORY_POLICY": policy})
    try:
        check_properties(conn, ps, policy)
    finally:
        conn.close()


@settings(derandomize=True, database=None, max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ps=papers)
def test_territory_merge_adds_shares_not_counts(ps: list[Paper]) -> None:
    """§0: merging HK into CN adds Shares (Share_CN' = Share_CN + Share_HK) but not full counts
    (N_CN' ≤ N_CN + N_HK, a CN+HK paper counts once); totals per paper set do not move."""
    sep = build_marts(to_works(ps))
    gc = build_marts(to_works(ps), {"COLLAB_TERRITORY_POLICY": "greater_china"})
    try:
        query = (
            "SELECT year, paper_set, sum(share), sum(papers) FROM mart.country_papers "
            "WHERE country IN ({}) GROUP BY ALL"
        )
        before = {(y, s): (sh, n) for y, s, sh, n in sep.execute(query.format("'CN', 'HK', 'MO'")).fetchall()}
        after = {(y, s): (sh, n) for y, s, sh, n in gc.execute(query.format("'CN'")).fetchall()}
        assert before.keys() == after.keys()
        for key, (share, n) in before.items():
            assert after[key][0] == pytest.approx(share, rel=1e-12, abs=1e-12)
            assert after[key][1] <= n
        world = "SELECT year, paper_set, world_papers, world_intl_papers FROM core.world_year ORDER BY ALL"
        w_sep, w_gc = sep.execute(world).fetchall(), gc.execute(world).fetchall()
        assert [r[:3] for r in w_sep] == [r[:3] for r in w_gc]  # located papers unchanged
        assert all(g[3] <= s[3] for s, g in zip(w_sep, w_gc, strict=True))  # merging only removes intl papers
    finally:
        sep.close()
        gc.close()
