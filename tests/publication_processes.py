"""The two processes of the publication tests: a writer (a whole run) and a reader querying in a loop.

    python -m tests.publication_processes writer [group ...]   # every unpartitioned asset, or these groups
    python -m tests.publication_processes reader OUT.jsonl STOP_FILE

Both take the warehouse from the environment (COLLAB_WAREHOUSE), like any consumer or run would.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def writer(groups: list[str]) -> int:
    import dagster as dg

    from tests.test_e2e import materialize

    result = materialize(groups=tuple(groups) or None, instance=dg.DagsterInstance.ephemeral())
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            print(f"STEP_FAILURE {event.step_key}: {event.step_failure_data.error.message.strip()}", flush=True)
    return 0 if result.success else 1


def read_once(path: str) -> dict:
    """One consumer query: the publication it sees, and whether every table agrees with the manifest published
    with it (tables are written by different steps, so a file mixing two runs would disagree)."""
    import duckdb

    from pipeline.publish import table_checksums

    conn = duckdb.connect(path, read_only=True)
    try:
        [(run_id,)] = conn.execute("SELECT run_id FROM meta.publication ORDER BY published_at DESC LIMIT 1").fetchall()
        manifest = {t: (n, c) for _, t, n, c in conn.execute("SELECT * FROM meta.table_checksums").fetchall()}
        actual = {t: (n, c) for t, n, c in table_checksums(conn)}
    finally:
        conn.close()
    return {"run_id": run_id, "tables": len(manifest), "whole": actual == manifest}


def reader(out: Path, stop: Path) -> int:
    path = os.environ["COLLAB_WAREHOUSE"]
    with out.open("w", encoding="utf-8") as fh:
        while not stop.exists():
            started = time.perf_counter()
            try:
                answer = read_once(path)
            except Exception as exc:  # every error is a finding: the test asserts there are none
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            answer["seconds"] = round(time.perf_counter() - started, 4)
            fh.write(json.dumps(answer) + "\n")
            fh.flush()
            time.sleep(0.02)
    return 0


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    sys.exit(writer(args) if role == "writer" else reader(Path(args[0]), Path(args[1])))
