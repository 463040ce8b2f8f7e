"""Secrets stay secret: a whole live-mode materialisation with sentinel credentials (OpenAlex key, Socrata app
token, OpenSky client secret), against the local fakes, and then no trace of them in any log line, event,
metadata value, file written, or warehouse row."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._serdes import serialize_value

from pipeline.publish import relations
from tests.conftest import OPENSKY_SECRET, TEST_API_KEY
from tests.test_e2e import materialize, query
from tests.test_e2e_families import OPENSKY_WEEK, step_failures

pytestmark = pytest.mark.e2e

SODA_TOKEN = "sentinel-soda-token-91c2"
SENTINELS = (TEST_API_KEY, OPENSKY_SECRET, SODA_TOKEN)


def test_live_run_leaks_no_secret(isolated_env, tmp_path, monkeypatch, live_env, live_sources, capfd):
    live_sources["soda"].app_token = SODA_TOKEN  # the fake refuses any other token: the token is really used
    monkeypatch.setenv("SODA_APP_TOKEN", SODA_TOKEN)
    instance = dg.DagsterInstance.ephemeral()
    result = materialize(OPENSKY_WEEK, groups=None, instance=instance)
    assert result.success, step_failures(result)
    assert all(r.app_token == SODA_TOKEN for r in live_sources["soda"].requests)

    # every event of the run, metadata included, as Dagster stores it
    events = instance.all_logs(result.run_id)
    assert len(events) > 100
    stored = "\n".join(serialize_value(e) for e in events)
    # everything printed (Dagster's log lines go to stderr)
    out, err = capfd.readouterr()
    # every file the run wrote: report, snapshot store, Dagster home, T-100 inbox copy (not the DuckDB file,
    # which is checked row by row below, where compression cannot hide a value)
    files = {
        p: p.read_bytes() for p in Path(tmp_path).rglob("*") if p.is_file() and p.suffix not in (".duckdb", ".wal")
    }
    # the raw response cache: every live answer with its request, checked byte for byte like the other files
    assert Path(tmp_path / "http_cache.sqlite") in files, "the live run kept its answers in the response cache"
    # tables and views: the large tables are views over (compressed) Parquet, whose bytes a file scan cannot read
    conn = duckdb.connect(str(isolated_env), read_only=True)
    try:
        tables = relations(conn)
    finally:
        conn.close()
    assert len(tables) > 40
    for secret in SENTINELS:
        assert secret not in stored, secret
        assert secret not in out and secret not in err, secret
        for path, data in files.items():
            assert secret.encode() not in data, (secret, path)
        for table in tables:
            hits = query(isolated_env, f"SELECT count(*) FROM {table} AS t WHERE t::VARCHAR LIKE ?", [f"%{secret}%"])
            assert hits == [(0,)], (secret, table)
