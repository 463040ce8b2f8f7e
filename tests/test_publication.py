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
from pipeline.catalog import table_exists
from pipeline.lake import KEEP_PUBLICATIONS, LakeError, lake_dir
from pipeline.publish import Swapped, build_path, record_manifest, seed_build, swap_in, table_checksums
from pipeline.settings import REPO_ROOT
from tests.test_e2e import fingerprint

# The heaviest load of the paper family: a kill soon after it starts lands inside its transaction.
KILL_AT_STEP = "openalex_core"
# Files written past this offset fail with EFBIG, as a full disk fails a write: the publication's first write
# past it (a Parquet export or the new published file, each several MB on the sample) hits it.
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


def lake_build(path: Path, version: int, works: int = 2000, mart_value: int = 1) -> None:
    """A build with one large table (core.works, published as Parquet) and one small one (mart.t)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA IF NOT EXISTS core")
    conn.execute("CREATE SCHEMA IF NOT EXISTS mart")
    conn.execute(
        "CREATE OR REPLACE TABLE core.works (work_id VARCHAR PRIMARY KEY, year INTEGER NOT NULL, title VARCHAR, "
        "kind ENUM('article', 'review'), version INTEGER)"
    )
    conn.execute(
        "INSERT INTO core.works SELECT 'W' || range, 2015 + range % 10, md5(range::VARCHAR), "
        "CASE WHEN range % 7 = 0 THEN 'review' ELSE 'article' END, ? FROM range(?)",
        [version, works],
    )
    conn.execute("COMMENT ON TABLE core.works IS 'one row per work'")
    conn.execute("COMMENT ON COLUMN core.works.title IS 'the title, hashed'")
    conn.execute("CREATE OR REPLACE TABLE mart.t AS SELECT range AS x, ? AS v FROM range(1000)", [mart_value])
    conn.close()


def publish_build(build: Path, published: Path, run_id: str) -> Swapped:
    conn = duckdb.connect(str(build))
    try:
        record_manifest(conn, run_id, "sample", datetime.now(UTC))
        return swap_in(conn, build, published, run_id)
    finally:
        conn.close()


def lake_files(published: Path) -> dict[Path, tuple[int, int]]:
    """Every Parquet file beside `published`, with its inode and mtime (unchanged means never written again)."""
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in lake_dir(published).rglob("*.parquet")}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".wal")))


@pytest.mark.parametrize("failing_fsync", [1, 3], ids=["exporting-parquet", "writing-the-published-file"])
def test_disk_full_while_publishing_leaves_the_publication_untouched(tmp_path, monkeypatch, failing_fsync):
    tmp_path = tmp_path / "wh"
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    lake_build(build, 1)
    publish_build(build, published, "run-1")
    before, files_before = sha256(published), lake_files(published)
    lake_build(build, 2)  # core.works changed: a new Parquet file to write
    calls = []
    real_fsync = publish_module.lake.fsync

    def fsync_until_full(path: Path) -> None:
        # A full disk surfaces at the write or, with delayed allocation, at fsync: the Parquet export's
        # fsync is call 1 (then its folder's, 2), the new published file's is call 3.
        calls.append(path)
        if len(calls) == failing_fsync:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_fsync(path)

    monkeypatch.setattr(publish_module.lake, "fsync", fsync_until_full)
    with pytest.raises(OSError, match="No space left"):
        publish_build(build, published, "run-2")
    assert sha256(published) == before and _published_run(published) == "run-1"
    assert files_before.items() <= lake_files(published).items(), "the published file's Parquet is untouched"
    assert leftovers(tmp_path) == [], "the partial files are removed"
    reader = duckdb.connect(str(published), read_only=True)
    try:
        assert reader.execute("SELECT DISTINCT version FROM core.works").fetchall() == [(1,)]
    finally:
        reader.close()
    monkeypatch.undo()
    retried = publish_build(build, published, "run-3")
    # a Parquet file complete before the failure is reused by the next run, never left half-written
    assert retried.files[0].exported == (failing_fsync == 1)


def test_large_tables_are_published_as_parquet_views_and_the_published_file_stays_small(tmp_path):
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    lake_build(build, 1, works=300_000)
    swapped = publish_build(build, published, "run-1")
    [file] = swapped.files
    assert file.table == "core.works" and file.exported and file.path.parent == lake_dir(published) / "core.works"
    reader = duckdb.connect(str(published), read_only=True)
    try:
        kinds = dict(
            reader.execute(
                "SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name IN ('core', 'mart') UNION ALL "
                "SELECT view_name, 'view' FROM duckdb_views() WHERE schema_name IN ('core', 'mart')"
            ).fetchall()
        )
        assert kinds == {"works": "view", "t": "table"}
        manifest = reader.execute("SELECT table_name, row_count, checksum FROM meta.table_checksums").fetchall()
        assert manifest == table_checksums(reader), "the views read back exactly what the build held"
        assert reader.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = 'works' "
            "AND column_name IN ('kind', 'title') ORDER BY 1"
        ).fetchall() == [("kind", "ENUM('article', 'review')", None), ("title", "VARCHAR", "the title, hashed")]
        assert reader.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'works'").fetchall() == [
            ("one row per work",)
        ]
    finally:
        reader.close()
    # The works are in the Parquet file, not in the published one: the published file is a few DuckDB blocks.
    parquet, small, whole = file.bytes, published.stat().st_size, build.stat().st_size
    print(f"\n300k works: build {whole:,} B, published {small:,} B, Parquet {parquet:,} B")
    assert parquet > 4_000_000 and small < parquet / 4 and small < whole / 4


def test_an_unchanged_large_table_is_not_exported_again_and_old_publications_stay_readable(tmp_path):
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    lake_build(build, 1)
    first = publish_build(build, published, "run-1")
    files = lake_files(published)
    # A reader that opened publication 1 (through ATTACH: duckdb.connect(path) in this process would hand the
    # test's later connections this open database instead of the file now at the path)
    holder = duckdb.connect()
    holder.execute(f"ATTACH '{published}' AS old (READ_ONLY)")
    try:
        lake_build(build, 1, mart_value=2)  # same works, another mart
        second = publish_build(build, published, "run-2")
        assert not second.files[0].exported and second.files[0].path == first.files[0].path
        assert lake_files(published) == files, "same file, same inode and mtime: not written again"
        assert _published_run(published) == "run-2"

        kept = []
        for run in range(3, 6):  # new works each time: a new file per publication
            lake_build(build, run)
            swapped = publish_build(build, published, f"run-{run}")
            assert swapped.files[0].exported
            kept.append(swapped.files[0].path)
            # the reader of publication 1 still reads it while it is among the last KEEP_PUBLICATIONS
            if run - 1 < KEEP_PUBLICATIONS:
                assert holder.execute("SELECT DISTINCT version FROM old.core.works").fetchall() == [(1,)]
        assert swapped.removed, "garbage collection ran"
    finally:
        holder.close()
    (lake_dir(published) / "core.works" / ".orphan.parquet.123.tmp").write_bytes(b"a killed export")
    lake_build(build, 6)
    kept.append(publish_build(build, published, "run-6").files[0].path)
    assert sorted(lake_files(published)) == sorted(kept[-KEEP_PUBLICATIONS:]), "garbage collection keeps K"
    assert leftovers(lake_dir(published)) == []
    reader = duckdb.connect(str(published), read_only=True)
    try:
        assert reader.execute("SELECT DISTINCT run_id FROM meta.lake_files ORDER BY 1").fetchall() == [
            ("run-4",),
            ("run-5",),
            ("run-6",),
        ]
    finally:
        reader.close()


def test_a_table_parquet_cannot_hold_exactly_is_refused_with_its_name(tmp_path):
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    lake_build(build, 1)
    publish_build(build, published, "run-1")
    before = sha256(published)
    conn = duckdb.connect(str(build))
    # Parquet stores HUGEINT as DOUBLE: 2^64 + 1 would come back as 2^64
    conn.execute("CREATE OR REPLACE TABLE core.works AS SELECT 'W1' AS work_id, 18446744073709551617::HUGEINT AS n")
    conn.close()
    with pytest.raises(LakeError, match=r"core\.works: .* must survive Parquet exactly"):
        publish_build(build, published, "run-2")
    assert sha256(published) == before and leftovers(tmp_path) == []


def test_a_missing_build_is_seeded_with_tables_from_the_published_views(tmp_path):
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    lake_build(build, 1)
    publish_build(build, published, "run-1")
    expected = fingerprint(build)
    build.unlink()
    seed_build(build, published)
    conn = duckdb.connect(str(build))
    try:
        assert table_checksums(conn) == [(t, *v) for t, v in sorted(expected.items())]
        assert conn.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall() == [(0,)]
        assert conn.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'works'").fetchall() == [
            ("one row per work",)
        ]
        with pytest.raises(duckdb.ConstraintException):  # its declared key came back with it
            conn.execute("INSERT INTO core.works (work_id, year) VALUES ('W1', 2020)")
        assert not table_exists(conn, "meta.lake_files"), "a build has no publication files of its own"
    finally:
        conn.close()
    # without its Parquet (the published file copied alone), the error names the file, the table and the rule
    build.unlink()
    for file in lake_files(published):
        file.unlink()
    with pytest.raises(LakeError, match=r"w\.duckdb.*: core\.works reads .*\.parquet, which is missing \(rule: "):
        seed_build(build, published)
    assert not build.exists() and leftovers(tmp_path) == []


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
    # The papers too: the published state has large tables, as views over Parquet, for the reader to read.
    code, output = _run_writer("reference", "papers")
    assert code == 0, output[-3000:]
    old_run, old_state, old_bytes = _published_run(published), fingerprint(published), sha256(published)
    old_files = lake_files(published)
    assert old_files, "the papers' large tables are published as Parquet"

    # SIGKILL in the middle of a load (only the papers: the kill lands in their core step).
    code, output = _run_writer("papers", kill_at=KILL_AT_STEP)
    assert code == -signal.SIGKILL, f"the writer was not killed at {KILL_AT_STEP}: {output[-2000:]}"
    assert sha256(published) == old_bytes and fingerprint(published) == old_state
    assert lake_files(published) == old_files

    # A write that fails like a full disk, in the publication step itself: the Parquet of the papers reloaded
    # by the killed run is the first file it writes past the limit.
    code, output = _run_writer("publish", file_size_limit=FILE_SIZE_LIMIT)
    assert code == 1 and "STEP_FAILURE" in output, output[-3000:]
    assert "File too large" in output or "IO Error" in output, output[-3000:]
    step = next(line for line in output.splitlines() if line.startswith("STEP_FAILURE"))
    error = next(line for line in output.splitlines() if "File too large" in line or "IO Error" in line)
    print(f"\ndisk full: {step.split(':')[0]}: {error.strip()[:300]}")
    assert step.startswith("STEP_FAILURE publish"), step
    assert sha256(published) == old_bytes and fingerprint(published) == old_state
    assert lake_files(published).items() >= old_files.items(), "the published file's Parquet is untouched"
    assert leftovers(lake_dir(published)) == [], "no partial Parquet file left behind"
    assert not list(published.parent.glob(f".{published.name}*")), "no staging file left behind"

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
