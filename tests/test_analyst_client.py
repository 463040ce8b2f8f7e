"""The analyst's `duckdb` command, installed by the README's commands, opens the warehouse read-only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline.warehouse import connect, init_schema

CLI = Path(sys.executable).parent / "duckdb"  # the duckdb-cli package's executable in the project's venv


def test_the_installed_duckdb_cli_reads_a_warehouse_this_release_writes(tmp_path):
    path = tmp_path / "collab.duckdb"
    conn = connect(path)  # the storage format every run writes
    init_schema(conn)
    conn.execute("CREATE TABLE mart.example AS SELECT 'CN' AS country_a, now() AS retrieved_at")
    conn.close()
    version = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.") or version.startswith("v2.")
    answer = subprocess.run(
        [CLI, "-readonly", "-csv", str(path), "-c", "SELECT country_a, retrieved_at IS NOT NULL FROM mart.example"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert answer.stdout.splitlines() == ["country_a,(retrieved_at IS NOT NULL)", "CN,true"]
