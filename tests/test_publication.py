"""Publication (pipeline.publish): readers are never blocked and never see half a run; a run that fails,
is killed or runs out of disk leaves the published warehouse as it was, and the next run completes.

The process tests run real processes (tests/publication_processes.py): writers are whole Dagster runs,
the reader is a consumer querying the published file in a loop.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

import pipeline.publish as publish_module
from pipeline.publish import build_path, record_manifest, seed_build, swap_in, table_checksums
from pipeline.settings import REPO_ROOT
from tests.test_e2e import fingerprint

# The heaviest load of the paper family: a kill soon after it starts lands inside its transaction.
KILL_AT_STEP = "openalex_core"
# Files written past this offset fail with EFBIG, as a full disk fails a write: the first load that grows
# the build file (a few MB after the reference run) hits it.
FILE_SIZE_LIMIT = 512 * 1024


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def small_warehouse(path: Path, value: int) -> None:
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA IF NOT EXISTS mart")
    conn.execute("CREATE OR REPLACE TABLE mart.t AS SELECT range AS x, ? AS v FROM range(1000)", [value])
    conn.close()


# -- the file operations, in one process -----------------------------------------------------------------


def test_swap_in_publishes_the_build_with_its_manifest(tmp_path):
    tmp_path = tmp_path / "wh"
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    build.parent.mkdir(parents=True)
    small_warehouse(build, 1)
    conn = duckdb.connect(str(build))
    try:
        record_manifest(conn, "run-1", "sample", datetime.now(UTC))
        swap_in(conn, build, published, "run-1")
    finally:
        conn.close()
    reader = duckdb.connect(str(published), read_only=True)
    try:
        assert reader.execute(
            "SELECT run_id, source_mode, table_count, row_count FROM meta.publication"
        ).fetchall() == [("run-1", "sample", 1, 1000)]
        manifest = reader.execute("SELECT table_name, row_count, checksum FROM meta.table_checksums").fetchall()
        assert manifest == table_checksums(reader) and manifest[0][:2] == ("mart.t", 1000)
    finally:
        reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "w.duckdb"], "no staging file left behind"


def test_disk_full_while_copying_leaves_the_published_file_untouched(tmp_path, monkeypatch):
    tmp_path = tmp_path / "wh"
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    build.parent.mkdir(parents=True)
    small_warehouse(published, 1)
    small_warehouse(build, 2)
    before = sha256(published)

    def copy_until_full(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(publish_module.shutil, "copyfile", copy_until_full)
    conn = duckdb.connect(str(build))
    try:
        with pytest.raises(OSError, match="No space left"):
            swap_in(conn, build, published, "run-2")
    finally:
        conn.close()
    assert sha256(published) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "w.duckdb"], "the partial copy is removed"


def test_a_missing_build_starts_from_the_published_file(tmp_path):
    published = tmp_path / "w.duckdb"
    seed_build(build_path(published), published)
    assert not build_path(published).exists(), "nothing to seed from"
    small_warehouse(published, 7)
    seed_build(build_path(published), published)
    assert sha256(build_path(published)) == sha256(published)
    small_warehouse(build_path(published), 8)
    seed_build(build_path(published), published)
    assert sha256(build_path(published)) != sha256(published), "an existing build is never overwritten"


# -- whole runs in real processes --------------------------------------------------------------------------


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.publication_processes", *args]


def _run_writer(*groups: str, kill_at: str | None = None, file_size_limit: int | None = None) -> tuple[int, str]:
    def limit_file_size() -> None:
        # As on a full disk, a write past the limit fails (EFBIG) instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    process = subprocess.Popen(
        _command("writer", *groups),
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=limit_file_size if file_size_limit else None,
    )
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if kill_at and f'Started execution of step "{kill_at}"' in line:
            time.sleep(0.3)
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=600)
    return process.returncode, "".join(lines)


def _published_run(path: Path) -> str:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute("SELECT run_id FROM meta.publication ORDER BY published_at DESC LIMIT 1").fetchall()[0][0]
    finally:
        conn.close()


@pytest.mark.e2e
def test_killed_and_disk_full_runs_change_nothing_and_readers_never_see_half_a_run(isolated_env, tmp_path):
    published = isolated_env
    code, output = _run_writer("reference")
    assert code == 0, output[-3000:]
    old_run, old_state, old_bytes = _published_run(published), fingerprint(published), sha256(published)

    # SIGKILL in the middle of a load.
    code, output = _run_writer(kill_at=KILL_AT_STEP)
    assert code == -signal.SIGKILL, f"the writer was not killed at {KILL_AT_STEP}: {output[-2000:]}"
    assert sha256(published) == old_bytes and fingerprint(published) == old_state

    # A write that fails like a full disk.
    code, output = _run_writer(file_size_limit=FILE_SIZE_LIMIT)
    assert code == 1 and "STEP_FAILURE" in output, output[-3000:]
    assert "File too large" in output or "IO Error" in output, output[-3000:]
    step = next(line for line in output.splitlines() if line.startswith("STEP_FAILURE"))
    error = next(line for line in output.splitlines() if "File too large" in line or "IO Error" in line)
    print(f"\ndisk full: {step.split(':')[0]}: {error.strip()[:300]}")
    assert sha256(published) == old_bytes and fingerprint(published) == old_state

    # The next run completes while a reader queries the published file in a loop.
    answers_file, stop = tmp_path / "answers.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(_command("reader", str(answers_file), str(stop)), cwd=REPO_ROOT)
    try:
        started = time.perf_counter()
        code, output = _run_writer()
        run_seconds = time.perf_counter() - started
        time.sleep(1.0)  # a few answers after publication
    finally:
        stop.touch()
        reader.wait(timeout=120)
    assert code == 0, output[-3000:]
    new_run = _published_run(published)
    answers = [json.loads(line) for line in answers_file.read_text().splitlines()]
    errors = [a["error"] for a in answers if "error" in a]
    seen = [a["run_id"] for a in answers if "run_id" in a]
    print(
        f"\nreader/writer: {len(answers)} queries during a {run_seconds:.0f} s run, errors = {len(errors)}, "
        f"old state {seen.count(old_run)}, new state {seen.count(new_run)}, "
        f"slowest query {max(a['seconds'] for a in answers):.3f} s"
    )
    assert not errors, errors[:3]
    assert set(seen) <= {old_run, new_run}, "every answer is the old or the new publication"
    assert all(a["whole"] for a in answers), "every answer agrees with the manifest published with it"
    assert seen.count(old_run) >= 10 and seen[-1] == new_run, "the reader read throughout and saw the new state"
    assert seen == sorted(seen, key=lambda r: r == new_run), "once the new state is visible it stays"
