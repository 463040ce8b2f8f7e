"""Services of the distributed tier on loopback: redis-server and a throwaway PostgreSQL cluster from Debian's
packages, and the processes of the Celery deployment (deploy/celery/), each in its own process group so
that stopping it stops its children too (Celery's pool, the daemon's code server)."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Debian's postgresql package puts the server binaries here, not on PATH.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server() -> str | None:
    return shutil.which("redis-server")


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder holding initdb and pg_ctl."""
    found = sorted(
        (Path(p) for p in glob.glob(PG_BIN_GLOB) if (Path(p) / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def missing_binaries() -> list[str]:
    return [name for name, found in (("redis-server", redis_server()), ("postgresql", pg_bin())) if not found]


def wait_for_port(port: int, process: subprocess.Popen, name: str, log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} within {timeout:.0f} s:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM to the process's group, SIGKILL to what is left after `timeout`."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group (pool or code-server children)
    process.wait()


def start(args: Sequence[str], log: Path, env: Mapping[str, str] | None = None, cwd: Path = REPO) -> subprocess.Popen:
    """A process in a new session (its own process group), output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            list(args),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )


@contextmanager
def redis(log_dir: Path) -> Iterator[str]:
    """redis-server on a free loopback port, nothing persisted; yields its URL."""
    port = free_port()
    log = log_dir / "redis.log"
    binary = redis_server()
    assert binary is not None
    process = start(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(log_dir)],
        log,
    )
    try:
        wait_for_port(port, process, "redis-server", log)
        yield f"redis://127.0.0.1:{port}"
    finally:
        stop(process)


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    db: str

    def env(self) -> dict[str, str]:
        """The DAGSTER_PG_* variables deploy/celery/dagster.yaml reads (trust authentication: no password)."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USERNAME": self.user,
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": self.db,
        }


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as Debian's `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.getuid() == 0 else args


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A fresh cluster (initdb, no fsync: it is thrown away) on a free loopback port, no Unix socket."""
    binaries = pg_bin()
    assert binaries is not None
    # Not under pytest's tmp_path: that is private to root, and the server may run as `postgres`.
    data_root = Path(tempfile.mkdtemp(prefix="collab-pg-"))
    data, log = data_root / "data", data_root / "server.log"
    if os.getuid() == 0:
        shutil.chown(data_root, "postgres", "postgres")
    port = free_port()
    user = "dagster"
    subprocess.run(
        _as_server_user(
            [str(binaries / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k '' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "30"]
    try:
        subprocess.run(_as_server_user([*pg_ctl, "start"]), check=True, capture_output=True)
        yield Postgres("127.0.0.1", port, user, "postgres")
    finally:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "immediate", "stop"]), check=False, capture_output=True)
        shutil.rmtree(data_root, ignore_errors=True)
