"""The distributed tier: snapshot partition runs on a Celery worker, through the run queue, with the cluster's
instance config (deploy/celery/) and the same definitions as the local default.

redis-server (the broker and result backend) and a PostgreSQL cluster (Dagster's run storage) start from
Debian's packages on loopback; deploy/celery/worker.sh starts one Celery worker and deploy/celery/daemon.sh the
daemon; the openalex_snapshot_sensor, started as an operator would, submits one run per partition, the
QueuedRunCoordinator queues them and the daemon hands them to the CeleryRunLauncher. The aggregation then runs
as on the warehouse host, and the marts must equal a local run's on the same snapshot. Without redis-server or
PostgreSQL the test fails in CI (env CI set) and skips elsewhere.

COLLAB_DISTRIBUTED_WORKS (default 3000) sizes the snapshot; with -s the test prints each partition run's rate
(the figures in docs/scale.md, "Partition runs on Celery workers", were measured that way).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from assets.definitions import defs
from assets.openalex_snapshot.parts import PARTS
from benchmarks import generate_snapshot
from pipeline.publish import build_path
from tests.distributed_services import REPO, missing_binaries, postgres, redis, start, stop
from tests.test_e2e import failed_checks
from tests.test_snapshot_mode import assert_same_rows, driver_rows, extract_new_partitions

pytestmark = pytest.mark.distributed

DEPLOY = REPO / "deploy" / "celery"
COMPARED_MARTS = ("mart.bilateral_papers", "mart.country_papers")
# When each run read its files: the only column allowed to differ between the two builds.
NOT_COMPARED = ("retrieved_at",)
RUNS_TIMEOUT_S = 240
FINISHED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def require_services() -> None:
    missing = missing_binaries()
    if missing:
        message = f"{' and '.join(missing)} missing: apt-get install redis-server postgresql, as .ci/run does"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else f"({path} not written)"


@dataclass
class Cluster:
    settings: dict[str, str]  # the cluster's own variables (deploy/celery/dagster.yaml's, the shared store)
    logs: Path
    worker: subprocess.Popen
    daemon: subprocess.Popen
    sensor_start: subprocess.Popen

    def stop(self) -> None:
        for process in (self.sensor_start, self.worker, self.daemon):
            stop(process)


@contextmanager
def cluster(root: Path) -> Iterator[Cluster]:
    """redis-server, PostgreSQL, one Celery worker (2 slots) and the daemon, as deploy/celery/ starts them, and
    the snapshot sensor being started as an operator does once (`dagster sensor start`, or the UI's toggle)."""
    logs = root / "logs"
    logs.mkdir(parents=True)
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")  # deploy/celery/env.sh does the same
    with redis(logs) as redis_url, postgres() as pg:
        settings = {
            **pg.env(),
            "DAGSTER_HOME": str(home),
            "DAGSTER_CELERY_BROKER_URL": f"{redis_url}/0",
            "DAGSTER_CELERY_BACKEND_URL": f"{redis_url}/1",
            "DAGSTER_CELERY_CONCURRENCY": "2",
            "COLLAB_SNAPSHOT_STORE": str(root / "store"),
            "COLLAB_WAREHOUSE": str(root / "warehouse.duckdb"),
        }
        env = {**os.environ, **settings}
        started: list[subprocess.Popen] = []
        try:
            started.append(start(["bash", str(DEPLOY / "worker.sh")], logs / "worker.log", env))
            started.append(start(["bash", str(DEPLOY / "daemon.sh")], logs / "daemon.log", env))
            sensor_command = "dagster sensor start -w deploy/celery/workspace.yaml openalex_snapshot_sensor"
            started.append(
                start(["bash", "-c", f"source {DEPLOY / 'env.sh'} && {sensor_command}"], logs / "sensor.log", env)
            )
            yield Cluster(settings, logs, *started)
        finally:
            for process in started:
                stop(process)


def wait_for_partition_runs(instance: dg.DagsterInstance, expected: int, logs: Path) -> list[dg.DagsterRun]:
    """The partition runs (tagged dagster/partition) once `expected` of them have finished."""
    deadline = time.monotonic() + RUNS_TIMEOUT_S
    while time.monotonic() < deadline:
        runs = [r for r in instance.get_runs() if "dagster/partition" in r.tags]
        if len(runs) == expected and all(r.status in FINISHED for r in runs):
            return runs
        time.sleep(0.5)
    states = {r.tags.get("dagster/partition"): r.status.value for r in instance.get_runs()}
    pytest.fail(
        f"{expected} partition runs not finished within {RUNS_TIMEOUT_S} s: {states}\n"
        + "\n".join(f"{name}:\n{tail(logs / name)}" for name in ("sensor.log", "daemon.log", "worker.log"))
    )


def assert_went_through_queue_and_celery(instance: dg.DagsterInstance, runs: list[dg.DagsterRun], log: Path) -> None:
    """Each run was queued (QueuedRunCoordinator), sent to the broker (CeleryRunLauncher) and executed in the
    worker's pool: its Celery task succeeded in the worker's log, where the run's own events were written."""
    worker_log = log.read_text(errors="replace")
    for run in runs:
        types = {r.event_log_entry.dagster_event_type for r in instance.get_records_for_run(run.run_id).records}
        assert dg.DagsterEventType.RUN_ENQUEUED in types, run.run_id
        engine = [
            r.event_log_entry.dagster_event.message
            for r in instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records
        ]
        assert "[CeleryRunLauncher] Celery task has been forwarded to the broker." in engine, engine
        task_id = run.tags["dagster-celery/task_id"]
        assert f"Task execute_job[{task_id}] succeeded" in worker_log, task_id
        assert any(
            "ForkPoolWorker" in line and run.run_id in line and "RUN_SUCCESS" in line
            for line in worker_log.splitlines()
        ), run.run_id


def report_rates(label: str, instance: dg.DagsterInstance, runs: list[dg.DagsterRun]) -> None:
    """Each partition run's works per second, from its start to its end in the worker (printed; seen with -s)."""
    records = instance.get_run_records(dg.RunsFilter(run_ids=[r.run_id for r in runs]))
    total = 0
    for record in sorted(records, key=lambda r: r.dagster_run.tags["dagster/partition"]):
        partition = record.dagster_run.tags["dagster/partition"]
        [event] = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(PARTS.split(".")), asset_partitions=[partition]), limit=1
        ).records
        rows = event.asset_materialization.metadata["rows"].value
        seconds = record.end_time - record.start_time
        print(f"{label} partition run {partition}: {rows} works in {seconds:.2f} s, {rows / seconds:,.0f} works/s")
        total += rows
    span = max(r.end_time for r in records) - min(r.start_time for r in records)
    print(f"{label}: {total} works in {span:.2f} s from the first run's start to the last run's end")


def aggregate(instance: dg.DagsterInstance) -> Path:
    """What the warehouse host runs after the partition runs: raw/openalex_snapshot_works and everything
    downstream up to the compared marts, in process (one DuckDB writer); returns the run's build file."""
    marts = dg.AssetSelection.assets(*(dg.AssetKey(t.split(".")) for t in COMPARED_MARTS)).upstream()
    target = (marts - dg.AssetSelection.assets(dg.AssetKey(PARTS.split(".")))).required_multi_asset_neighbors()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, asset_selection=list(target.resolve(defs.resolve_asset_graph())), raise_on_error=False
    )
    assert result.success and not failed_checks(result)
    assert dg.AssetKey(["raw", "openalex_snapshot_works"]) in {
        e.asset_key for e in result.get_asset_materialization_events()
    }
    return build_path(Path(os.environ["COLLAB_WAREHOUSE"]))


def test_partition_runs_on_a_celery_worker_give_the_local_marts(tmp_path, monkeypatch):
    require_services()
    works = int(os.environ.get("COLLAB_DISTRIBUTED_WORKS", "3000"))
    snapshot = tmp_path / "snapshot"
    generate_snapshot.main([str(snapshot), "--works", str(works), "--parts-per-partition", "1", "--processes", "1"])
    partitions = {p.name.split("=", 1)[1] for p in snapshot.glob("data/jsonl/works/updated_date=*")}
    monkeypatch.setenv("COLLAB_MODE", "snapshot")
    monkeypatch.setenv("OPENALEX_SNAPSHOT_DIR", str(snapshot))
    monkeypatch.setenv("COLLAB_YEARS", "2010-2024")  # the generator's years

    with cluster(tmp_path / "cluster") as running:
        # While the cluster starts: the local default on the same snapshot (same definitions, partition runs in
        # this process, no services), with the test's own store and warehouse.
        local_instance = dg.DagsterInstance.ephemeral()
        assert set(extract_new_partitions(local_instance)) == partitions
        report_rates("local", local_instance, [r for r in local_instance.get_runs() if "dagster/partition" in r.tags])
        local = aggregate(local_instance)

        assert running.sensor_start.wait(180) == 0, tail(running.logs / "sensor.log")
        for name, value in running.settings.items():
            monkeypatch.setenv(name, value)
        with dg.DagsterInstance.get() as instance:
            runs = wait_for_partition_runs(instance, len(partitions), running.logs)
            running.stop()  # frees the cores for the aggregation
            assert {r.tags["dagster/partition"] for r in runs} == partitions
            assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * len(runs), tail(
                running.logs / "worker.log"
            )
            assert_went_through_queue_and_celery(instance, runs, running.logs / "worker.log")
            report_rates("celery", instance, runs)
            # The warehouse host: the aggregation over the shared store, recorded in the cluster's run storage.
            distributed = aggregate(instance)

    assert distributed != local
    for table in COMPARED_MARTS:
        rows, expected = driver_rows(distributed, table, NOT_COMPARED), driver_rows(local, table, NOT_COMPARED)
        assert rows, table
        # Floating sums may differ in the last bits: DuckDB's parallel aggregation adds in any order (rel 1e-12).
        assert_same_rows(rows, expected, table)
