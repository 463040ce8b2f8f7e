"""Works with more than 100 authors: live mode must count the whole byline, as snapshot mode does.

The API's `authorships.countries` filter, its group_by and `countries_distinct_count` see only a work's
first 100 authorships (docs/methods.md#live-mode-an-exact-split-at-100-authors); the fake OpenAlex cuts there
too. W101 is shaped like the human-genome paper (Nature 2001): its first 100 authors are GB/US, its CN, DE
and IE authors come after.
"""

from __future__ import annotations

import dagster as dg
import pytest

import pipeline.http as http_module
from tests.snapshot_fixture import NATURE_ISSNS, authorship, institution, work, write_works_snapshot
from tests.test_e2e import failed_checks, materialize, query
from tests.test_snapshot_mode import SNAPSHOT_PAPERS, extract_new_partitions

pytestmark = pytest.mark.e2e

CN, US, GB, DE, IE, JP, KR = (
    institution(n, c) for n, c in ((1, "CN"), (2, "US"), (3, "GB"), (4, "DE"), (5, "IE"), (6, "JP"), (7, "KR"))
)


def byline(*groups: tuple[int, list[dict]]) -> list[dict]:
    """Authorships in order: `count` authors affiliated with `institutions`, for each group."""
    places = [institutions for count, institutions in groups for _ in range(count)]
    return [authorship(n, "middle", places[n]) for n in range(len(places))]


WORKS = [
    # CN–US, Nature Index, with CN (and DE, IE, a CN+DE author) only after author 100
    work(101, byline((60, [GB]), (40, [US]), (9, [CN]), (1, [CN, DE]), (4, [DE]), (3, [IE])), issns=NATURE_ISSNS),
    work(102, byline((1, [CN]), (1, [US, CN])), issns=NATURE_ISSNS),
    work(103, byline((2, [CN]), (1, [US]))),
    work(104, byline((1, [CN]))),
    work(105, byline((1, [US]), (1, [DE])), year=2019),
    work(106, byline((50, [CN]), (50, [US]), (50, [JP])), year=2021),  # every focus country before 100
    work(107, byline((101, [US]), (5, [CN])), work_type="review"),  # outside the paper universe
    work(108, byline((110, [US]), (1, [KR])), year=2021, issns=NATURE_ISSNS),
    work(109, byline((1, [CN]), (1, [GB])), year=2021),
]
# Columns whose values name the mode or its basis rather than measure anything: the bootstrap holds
# live mode's group_by totals fixed and resamples the snapshot's (ci_basis says which), so the
# intervals differ by design.
BY_MODE = {
    "count_basis",
    "source",
    "source_mode",
    "retrieved_at",
    "ci_basis",
    "collaboration_score_ci_low",
    "collaboration_score_ci_high",
    "observed_expected_ci_low",
    "observed_expected_ci_high",
}
# Shares and their bootstrap need the joint papers as records, which live mode fetches only for pairs
# between focus countries.
RECORDS_ONLY = {"share_a_joint", "share_b_joint", "collaboration_score", "bootstrap_replicates"}


@pytest.fixture
def sample_works() -> list[dict]:
    """What the fake OpenAlex of tests/conftest.py serves in this module."""
    return WORKS


def bilateral_rows(path, columns: list[str]) -> dict[tuple, dict]:
    focus = "country_a IN ('CN', 'US') OR country_b IN ('CN', 'US')"
    sql = f"SELECT {', '.join(columns)} FROM mart.bilateral_papers WHERE {focus}"
    return {r[:4]: dict(zip(columns, r, strict=True)) for r in query(path, sql)}


def test_live_mode_counts_the_whole_byline_as_snapshot_mode_does(isolated_env, tmp_path, monkeypatch, live_env):
    make_session = http_module.make_session  # no client-side pacing against the local fake
    monkeypatch.setattr(http_module, "make_session", lambda per_second, *rest: make_session(0, *rest))
    monkeypatch.setenv("COLLAB_YEARS", "2019-2021")
    live = materialize()
    assert live.success and not failed_checks(live)
    kinds = live_env.calls_by_kind()
    assert kinds["singleton"] == 3  # W101, W106, W108: every universe work above 100 authors, read whole

    snapshot_path = tmp_path / "snapshot.duckdb"
    monkeypatch.setenv("COLLAB_MODE", "snapshot")
    monkeypatch.setenv("COLLAB_WAREHOUSE", str(snapshot_path))
    monkeypatch.setenv("OPENALEX_SNAPSHOT_DIR", str(tmp_path / "openalex"))
    write_works_snapshot(tmp_path / "openalex", WORKS)
    instance = dg.DagsterInstance.ephemeral()
    extract_new_partitions(instance)
    snapshot = materialize(groups=SNAPSHOT_PAPERS, instance=instance)
    assert snapshot.success and not failed_checks(snapshot)

    columns = [
        r[0]
        for r in query(
            isolated_env,
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'mart' AND table_name = 'bilateral_papers' "
            "ORDER BY column_index",
        )
    ]
    assert columns[:4] == ["country_a", "country_b", "year", "paper_set"]
    live_rows, snapshot_rows = bilateral_rows(isolated_env, columns), bilateral_rows(snapshot_path, columns)
    assert live_rows.keys() == snapshot_rows.keys()
    assert {k[3] for k in live_rows} == {"all", "nature_index"}
    for key, live_row in live_rows.items():
        focus_pair = {key[0], key[1]} == {"CN", "US"}
        for column in columns[4:]:
            if column in BY_MODE or (column in RECORDS_ONLY and not focus_pair):
                continue
            got, expected = live_row[column], snapshot_rows[key][column]
            assert got == (pytest.approx(expected, rel=1e-12) if isinstance(expected, float) else expected), (
                key,
                column,
            )

    cn_us = live_rows[("CN", "US", 2020, "nature_index")]
    assert (cn_us["coauthored"], cn_us["papers_a"], cn_us["papers_b"]) == (2, 2, 2)  # W101 and W102
    assert live_rows[("CN", "US", 2020, "all")]["coauthored"] == 3
    assert live_rows[("US", "KR", 2021, "nature_index")]["coauthored"] == 1  # KR only at author 111
    # s_CN: W101's nine and a half CN authors of 117, and W102's one and a half of 2
    assert cn_us["share_a_joint"] == pytest.approx(9.5 / 117 + 0.75)
    ireland = "SELECT papers, intl_papers FROM core.country_year WHERE country = 'IE' AND year = 2020 ORDER BY ALL"
    assert query(isolated_env, ireland) == [(1, 1), (1, 1)]
