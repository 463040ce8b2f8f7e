"""Shared fixtures: an isolated environment per test, the bundled sample, a fake OpenAlex."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import pytest

from pipeline.openalex.sample import SAMPLE_DIR
from tests.fakes.openalex import FakeOpenAlex

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
    "COLLAB_DUCKDB_MEMORY_LIMIT",
    "COLLAB_BOOTSTRAP_REPLICATES",
    "COLLAB_BOOTSTRAP_SEED",
    *SOURCE_URL_VARS,
    "UIS_VERSION",
    "SODA_APP_TOKEN",
    "T100_DIR",
    "OPENSKY_CLIENT_ID",
    "OPENSKY_CLIENT_SECRET",
)
TEST_API_KEY = "test-key-3f9c"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets its own warehouse and the sample-mode defaults, whatever the shell had."""
    for name in CONTRACT_VARS:
        monkeypatch.delenv(name, raising=False)
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("COLLAB_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("COLLAB_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("COLLAB_SNAPSHOT_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("OPENALEX_BASE_URL", "http://127.0.0.1:9")  # nothing listens: sample mode must not call
    monkeypatch.setenv("OPENALEX_API_KEY", "")
    monkeypatch.setenv("OPENALEX_MAILTO", "")
    for name in SOURCE_URL_VARS:
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("UIS_VERSION", "SODA_APP_TOKEN", "T100_DIR", "OPENSKY_CLIENT_ID", "OPENSKY_CLIENT_SECRET"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    return warehouse


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
