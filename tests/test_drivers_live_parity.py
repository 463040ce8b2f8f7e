"""Live mode against the fake OpenAlex equals sample mode on the same works, for the marts of what drives
the change (docs/methods.md#collaboration-by-field): one papers-family materialisation per mode (module
fixtures, three years: about 80 s for both), then the focus pair CN,US compared table by table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import TEST_API_KEY, _sample, isolate
from tests.fakes.openalex import FakeOpenAlex
from tests.test_e2e import INDEX_COLUMNS, materialize, query

pytestmark = pytest.mark.e2e

YEARS = "2018-2020"
PAIR = "country_a = 'CN' AND country_b = 'US'"
# Provenance and the method note say how a row was made, which differs between modes by design.
PROVENANCE = {"method", "count_basis", "source", "source_mode", "retrieved_at", "note", "reason"}
JOINT = ("coauthored", "share_a_joint", "share_b_joint", "collaboration_score")
# every index column but the joint count: what needs the universe
UNIVERSE = tuple(c for c in INDEX_COLUMNS if c != "coauthored")


def _build(root: Path, env: dict[str, str]) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        path = isolate(mp, root)
        for name, value in {"COLLAB_YEARS": YEARS, "COLLAB_FOCUS": "CN,US", **env}.items():
            mp.setenv(name, value)
        result = materialize()
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, failures
    return path


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeOpenAlex, HTTPServer]]:
    server = HTTPServer()
    server.start()
    fake = FakeOpenAlex(list(_sample()[0]), api_key=TEST_API_KEY)
    fake.install(server)
    yield fake, server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, fake: tuple[FakeOpenAlex, HTTPServer]) -> Path:
    _, server = fake
    env = {
        "COLLAB_MODE": "live",
        "OPENALEX_BASE_URL": server.url_for("").rstrip("/"),
        "OPENALEX_API_KEY": TEST_API_KEY,
        "OPENALEX_MAILTO": "ci@example.org",
    }
    return _build(tmp_path_factory.mktemp("live"), env)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("sample"), {"COLLAB_MODE": "sample"})


def _columns(path: Path, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = query(
        path,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, name],
    )
    return [r[0] for r in rows if r[0] not in PROVENANCE]


def _rows(path: Path, table: str, columns: list[str], where: str = PAIR) -> list[tuple]:
    return query(path, f"SELECT {', '.join(columns)} FROM {table} WHERE {where} ORDER BY ALL")


def _assert_same(live_rows: list[tuple], sample_rows: list[tuple], columns: list[str]) -> None:
    assert len(live_rows) == len(sample_rows) > 0
    for lrow, srow in zip(live_rows, sample_rows, strict=True):
        for column, lval, sval in zip(columns, lrow, srow, strict=True):
            if isinstance(sval, float) and lval is not None:
                assert lval == pytest.approx(sval, rel=1e-12, abs=1e-12), (column, lrow[:6])
            else:
                assert lval == sval, (column, lrow[:6])


@pytest.mark.parametrize("table", ["mart.collaboration_ties", "mart.institution_pairs"])
def test_pair_marts_equal_in_both_modes(live: Path, sample: Path, table: str) -> None:
    columns = _columns(sample, table)
    assert columns == _columns(live, table)
    _assert_same(_rows(live, table, columns), _rows(sample, table, columns), columns)


def test_by_field_joint_and_topic_totals_equal(live: Path, sample: Path, fake) -> None:
    table, key = "mart.bilateral_papers_by_field", ["year", "paper_set", "level", "field_id", "field", "domain"]
    joint = [*key, *JOINT]
    _assert_same(_rows(live, table, joint), _rows(sample, table, joint), joint)
    # Field and domain totals come from the group_by counts in live mode, and equal the records' totals.
    topics = [*key, *UNIVERSE]
    where = f"{PAIR} AND level IN ('field', 'domain') AND paper_set = 'all'"
    _assert_same(_rows(live, table, topics, where), _rows(sample, table, topics, where), topics)
    nulls = query(
        live,
        f"SELECT count(*) FILTER (WHERE papers_a IS NOT NULL), count(*) FILTER (WHERE share_a IS NOT NULL), "
        f"count(*) FILTER (WHERE method NOT LIKE 'group_by:%') FROM {table} WHERE {where}",
    )
    assert nulls[0][0] > 0 and nulls[0][1:] == (0, 0)
    assert fake[0].calls_by_kind()["group_by"] > 0


def test_by_field_subject_groups_are_null_in_live_mode(live: Path) -> None:
    rows = query(
        live,
        "SELECT DISTINCT papers_a IS NULL AND world_intl_papers IS NULL AND salton IS NULL, method "
        f"FROM mart.bilateral_papers_by_field WHERE {PAIR} AND level = 'subject_group'",
    )
    assert rows and all(r[0] and "subject group" in r[1] for r in rows)


def test_researcher_moves_live_counts_are_null_with_the_reason(live: Path, sample: Path) -> None:
    rows = query(live, "SELECT year, movers, returnees, method FROM mart.researcher_moves ORDER BY year")
    assert [r[0] for r in rows] == [2018, 2019, 2020]
    assert all(r[1] is None and r[2] is None and "cannot be seen" in r[3] for r in rows), rows
    assert query(sample, "SELECT count(*) FROM mart.researcher_moves WHERE movers > 0")[0][0] > 0


def test_the_run_variables_carry_the_plan_author_cut() -> None:
    import duckdb

    from assets.openalex.plan import AUTHOR_CUT
    from pipeline.settings import load_settings
    from pipeline.warehouse import set_variables

    conn = duckdb.connect()
    set_variables(conn, load_settings({}))
    assert conn.execute("SELECT getvariable('author_cut')").fetchone()[0] == AUTHOR_CUT
