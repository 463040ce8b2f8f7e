"""Shared fixtures: an isolated environment per test, the bundled sample, a fake OpenAlex."""

from __future__ import annotations

import functools
import gzip
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import pipeline.http as http_module
from assets.openalex.sample import SAMPLE_DIR
from assets.soda import sample as soda_module
from assets.t100.sample import SAMPLE_DIR as T100_SAMPLE_DIR
from tests.fakes.oecd import FakeOecd
from tests.fakes.openalex import FakeOpenAlex
from tests.fakes.opensky import API_PREFIX, TOKEN_PATH, FakeOpenSky
from tests.fakes.soda import FakeSoda
from tests.fakes.uis import FakeUis
from tests.fakes.worldbank import FakeWorldBank

SLOW_TIERS = ("e2e", "browser", "faults", "distributed")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The quick tier (`-m quick`) is every test of none of the slow tiers: one marker to select it by."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in SLOW_TIERS):
            item.add_marker(pytest.mark.quick)


# Nothing listens on port 9: sample mode must never call a live service.
SOURCE_URL_VARS = (
    "UIS_BASE_URL",
    "OECD_BASE_URL",
    "SODA_BASE_URL",
    "OPENSKY_BASE_URL",
    "OPENSKY_AUTH_URL",
    "WORLDBANK_BASE_URL",
)
CONTRACT_VARS = (
    "COLLAB_MODE",
    "COLLAB_WAREHOUSE",
    "COLLAB_FOCUS",
    "COLLAB_YEARS",
    "COLLAB_TERRITORY_POLICY",
    "COLLAB_REFRESH_YEARS",
    "COLLAB_WORK_TYPES",
    "COLLAB_EXCLUDE_PARATEXT",
    "COLLAB_EXCLUDE_RETRACTED",
    "COLLAB_ROWCOUNT_TOLERANCE",
    "OPENALEX_BASE_URL",
    "OPENALEX_API_KEY",
    "OPENALEX_MAILTO",
    "COLLAB_MOBILITY_COUNTRIES",
    "COLLAB_MOBILITY_MAX_YOY",
    "COLLAB_DID_PRE",
    "COLLAB_DID_POST",
    "COLLAB_BASE_YEAR",
    "COLLAB_BREAK_YEARS",
    "COLLAB_REPORT_DIR",
    "OPENALEX_SNAPSHOT_DIR",
    "COLLAB_SNAPSHOT_STORE",
    "COLLAB_SNAPSHOT_BATCH_RECORDS",
    "COLLAB_DUCKDB_MEMORY_LIMIT",
    "COLLAB_ALERT_FILE",
    "COLLAB_ALERT_WEBHOOK_URL",
    "COLLAB_BOOTSTRAP_REPLICATES",
    "COLLAB_BOOTSTRAP_SEED",
    "COLLAB_TIES_LOOKBACK_YEARS",
    "COLLAB_TIES_MAX_AUTHORS",
    "COLLAB_HTTP_CACHE",
    "COLLAB_HTTP_CACHE_FILE",
    "COLLAB_HTTP_CACHE_TTL_HOURS",
    "COLLAB_OPENALEX_BUDGET_USD",
    *SOURCE_URL_VARS,
    "UIS_VERSION",
    "SODA_APP_TOKEN",
    "T100_DIR",
    "OPENSKY_CLIENT_ID",
    "OPENSKY_CLIENT_SECRET",
)
# Dagster EnvVars must be set; empty means "not configured".
UNSET_VARS = ("SODA_APP_TOKEN", "T100_DIR", "OPENSKY_CLIENT_ID", "OPENSKY_CLIENT_SECRET")
TEST_API_KEY = "test-key-3f9c"


def isolated_values(root: Path) -> dict[str, str]:
    """The contract variables of an isolated, sample-mode test rooted at `root` (nothing else is set)."""
    return {
        "COLLAB_WAREHOUSE": str(root / "warehouse.duckdb"),
        "COLLAB_REPORT_DIR": str(root / "reports"),
        "COLLAB_SNAPSHOT_STORE": str(root / "store"),
        "COLLAB_HTTP_CACHE_FILE": str(root / "http_cache.sqlite"),
        "OPENALEX_BASE_URL": "http://127.0.0.1:9",  # nothing listens: sample mode must not call
        "OPENALEX_API_KEY": "",
        "OPENALEX_MAILTO": "",
        **dict.fromkeys(SOURCE_URL_VARS, "http://127.0.0.1:9"),
        **dict.fromkeys(UNSET_VARS, ""),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def isolate(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    """Clear every contract variable the shell had and set `isolated_values(root)`; returns the warehouse path."""
    for name in CONTRACT_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in isolated_values(root).items():
        monkeypatch.setenv(name, value)
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    return root / "warehouse.duckdb"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets its own warehouse and the sample-mode defaults, whatever the shell had."""
    return isolate(monkeypatch, tmp_path)


@dataclass(frozen=True)
class SampleBuild:
    """Every asset materialised once in sample mode, in an environment of its own (`sample_build`)."""

    warehouse: Path  # the published file: open it read-only, or copy it to start a test from a built state
    reports: Path
    result: Any  # the run's dg.ExecuteInProcessResult (events, checks, materialisations)
    root: Path  # its environment's root (isolate(mp, root) sets it again); the run is in root's DAGSTER_HOME

    def copy_to(self, target: Path) -> Path:
        """The published warehouse as a test's own starting state."""
        shutil.copyfile(self.warehouse, target)
        return target


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleBuild]:
    """One sample-mode build of every asset for the whole session: tests that only read a built warehouse
    share it (read-only, or a copy as their starting state) instead of each materialising its own."""
    import dagster as dg

    from tests.test_e2e import materialize  # the test module's helper; imported late to keep conftest light

    root = tmp_path_factory.mktemp("sample_build")
    with pytest.MonkeyPatch.context() as mp:
        path = isolate(mp, root)
        home = Path(os.environ["DAGSTER_HOME"])
        shutil.copy(Path(__file__).parent.parent / "dagster.yaml", home / "dagster.yaml")
        # A persistent instance: the UI tests serve this run's events from it.
        with dg.DagsterInstance.get() as instance:
            result = materialize(groups=None, instance=instance)
    assert result.success, "the shared sample build failed"
    path.chmod(0o444)  # shared: a test that writes to it fails loudly instead of changing others' data
    yield SampleBuild(path, root / "reports", result, root)


@functools.cache
def _sample() -> tuple[tuple[dict, ...], dict[str, dict]]:
    works: list[dict] = []
    for path in sorted(SAMPLE_DIR.glob("works_*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            works += [json.loads(line) for line in fh if line.strip()]
    with gzip.open(SAMPLE_DIR / "singletons.jsonl.gz", "rt", encoding="utf-8") as fh:
        singletons = {w["id"]: w for w in (json.loads(line) for line in fh if line.strip())}
    # The fake truncates list forms itself, so it gets the full records.
    full = tuple(singletons.get(w["id"], w) for w in works)
    return full, singletons


@pytest.fixture
def sample_works() -> list[dict]:
    """The sample's full records (read once per session; neither the fake nor tests mutate them)."""
    return list(_sample()[0])


@pytest.fixture
def fake_openalex(httpserver, sample_works) -> FakeOpenAlex:
    fake = FakeOpenAlex(sample_works, api_key=TEST_API_KEY)
    fake.install(httpserver)
    return fake


@pytest.fixture
def live_env(monkeypatch: pytest.MonkeyPatch, httpserver, fake_openalex: FakeOpenAlex) -> FakeOpenAlex:
    monkeypatch.setenv("COLLAB_MODE", "live")
    monkeypatch.setenv("OPENALEX_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("OPENALEX_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("OPENALEX_MAILTO", "ci@example.org")
    return fake_openalex


# Live mobility, flight and World Bank sources: one local server per service, each fake answering
# every path of its own host like the real one (shared by the family, secrets and fault tests).
OPENSKY_ID, OPENSKY_SECRET = "ci-client", "ci-secret-5e2a"


@pytest.fixture
def servers() -> Iterator[dict[str, HTTPServer]]:
    """One local server per service: every fake answers all paths of its own host, like the real ones."""
    started = {name: HTTPServer(host="127.0.0.1", port=0) for name in ("uis", "oecd", "soda", "opensky", "worldbank")}
    for server in started.values():
        server.start()
    yield started
    for server in started.values():
        server.clear()
        server.stop()


@pytest.fixture
def live_sources(monkeypatch, servers, tmp_path) -> dict:
    """COLLAB_MODE=live with every mobility and flight source pointed at a fake serving the sample.
    Client-side pacing is switched off (it is tested with the connectors): the OECD's 20 queries a
    minute would otherwise make this test wait for minutes on a local server."""
    make_session = http_module.make_session
    monkeypatch.setattr(http_module, "make_session", lambda per_second, *rest: make_session(0, *rest))
    fakes = {
        "uis": FakeUis(),
        "oecd": FakeOecd.from_sample(),
        "soda": FakeSoda(json.loads((soda_module.SAMPLE_DIR / "xgub-n9bw.json").read_text(encoding="utf-8"))),
        "opensky": FakeOpenSky(
            {
                p.stem.removeprefix("arrivals_"): json.loads(p.read_text(encoding="utf-8"))
                for p in sorted((T100_SAMPLE_DIR.parent / "opensky").glob("arrivals_*.json"))
            },
            client_id=OPENSKY_ID,
            client_secret=OPENSKY_SECRET,
        ),
        "worldbank": FakeWorldBank(),
    }
    for name, fake in fakes.items():
        fake.install(servers[name])
    url = {name: server.url_for("").rstrip("/") for name, server in servers.items()}
    t100_dir = tmp_path / "t100_inbox"
    shutil.copytree(T100_SAMPLE_DIR, t100_dir)
    monkeypatch.setenv("COLLAB_MODE", "live")
    monkeypatch.setenv("UIS_BASE_URL", url["uis"])
    monkeypatch.setenv("OECD_BASE_URL", url["oecd"])
    monkeypatch.setenv("SODA_BASE_URL", url["soda"])
    monkeypatch.setenv("OPENSKY_BASE_URL", url["opensky"] + API_PREFIX)
    monkeypatch.setenv("OPENSKY_AUTH_URL", url["opensky"] + TOKEN_PATH)
    monkeypatch.setenv("OPENSKY_CLIENT_ID", OPENSKY_ID)
    monkeypatch.setenv("OPENSKY_CLIENT_SECRET", OPENSKY_SECRET)
    monkeypatch.setenv("T100_DIR", str(t100_dir))
    monkeypatch.setenv("WORLDBANK_BASE_URL", url["worldbank"])
    return {**fakes, "t100_dir": t100_dir}


# DuckDB 2.0's bindings (nanobind) print "nanobind: leaked N instances" lists for their objects still referenced
# when the interpreter finalises (module-level type objects and caches of the libraries loaded in one session;
# no test keeps a connection open). Nothing is left to release once pytest has reported, so the test process
# leaves without finalising, with pytest's own exit status.
_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _EXIT_STATUS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])
