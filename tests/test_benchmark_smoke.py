"""The snapshot benchmark's one command still runs end to end on a tiny snapshot (its figures are not
asserted: targets live in the benchmark's output, never in timed tests)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.snapshot_benchmark import tree_pss_mb

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def test_benchmark_runs_every_measurement_on_a_tiny_snapshot(isolated_env, tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.snapshot_benchmark",
            "--sizes",
            "2000",
            "--naive-works",
            "200",
            "--workdir",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    # (b) loaded the generated works through two partition workers and built every pair's indices.
    assert "'partition_workers': 2" in out.stdout
    loaded = int(re.search(r"'works_loaded': (\d+)", out.stdout).group(1))
    assert 1900 <= loaded < 2000  # every work but the merged ids (those without authorships count, unlocated)
    row = next(line for line in out.stdout.splitlines() if line.strip().startswith("2,000 |"))
    cells = [c.strip() for c in row.split("|")]
    assert int(cells[10].replace(",", "")) > 0  # pairs
    assert float(cells[5].split()[0]) > 0  # (d) peak PSS of (b)'s process tree
    # (e), the plain-SQL counts from per-work facts, equal (b)'s core tables row for row (Shares within 1e-9)
    assert cells[-2] == "equal", row
    # (b)'s per-work tables, built from the facts its partition runs wrote, equal today's definitions over the
    # bylines (every count and mart reads only them)
    assert cells[-1] == "equal", row
    assert float(cells[8].split()[0]) > 0
    assert "API plan, full live CN–US refresh" in out.stdout


def test_tree_memory_counts_the_descendants(tmp_path):
    # A parent that starts a child holding ~64 MB: the tree's PSS includes the child's memory.
    child = "import time; b = bytearray(64 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"],
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while tree_pss_mb(parent.pid) < 64 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert tree_pss_mb(parent.pid) >= 64
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()
    assert tree_pss_mb(parent.pid) == 0  # gone
