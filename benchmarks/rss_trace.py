"""Where the pipeline's memory goes: run (b) of the snapshot benchmark, sample its RSS, attribute it to steps.

    python -m benchmarks.rss_trace SNAPSHOT_DIR [--workdir DIR] [--interval 0.5] [--repo PATH] [--where]

Runs `python -m benchmarks.snapshot_benchmark pipeline SNAPSHOT_DIR --workdir DIR` (in --repo, default this
checkout) as a child process, reads the memory of its process tree from /proc every --interval seconds (the
parallel partition runs included: proportional set sizes summed, benchmarks.snapshot_benchmark.tree_pss_mb),
then reads the Dagster event log the run left in DIR/dagster_home and prints, per step (partition runs
included, which overlap), its wall time and the highest memory sampled while it ran, followed by the exact
peak RSS of the largest single process (getrusage). The
child's output goes to DIR/pipeline.log.

--where runs the same pipeline in this process instead, with a thread that samples the RSS together with the
main thread's stack, and prints the code locations (innermost frame of pipeline/ or assets/, and the table
being loaded when inside load_gated) where the highest RSS was sampled: what is resident at the peak.
Prints figures and asserts nothing, like benchmarks.snapshot_benchmark.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.snapshot_benchmark import tree_pss_mb

REPO = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def step_windows(dagster_home: Path) -> list[tuple[str, float, float]]:
    """(label, start, end) of every step of every run in the instance, from its event log."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    windows = []
    for run in sorted(instance.get_runs(), key=lambda r: instance.get_run_stats(r.run_id).start_time or 0):
        starts: dict[str, float] = {}
        partition = run.tags.get("dagster/partition")
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not entry.step_key:
                continue
            if event.event_type_value == "STEP_START":
                starts[entry.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in starts:
                label = entry.step_key + (f" [{partition}]" if partition else "")
                windows.append((label, starts[entry.step_key], entry.timestamp))
    instance.dispose()
    return windows


def where(snapshot: Path, workdir: Path, interval: float) -> None:
    """The pipeline in this process; RSS sampled with the main thread's innermost project frame."""
    import threading

    from benchmarks.snapshot_benchmark import pipeline_run

    main_thread = threading.main_thread()
    samples: list[tuple[float, float, str]] = []
    done = threading.Event()

    def location() -> str:
        frame = sys._current_frames().get(main_thread.ident)
        inner, table = None, None
        while frame is not None:
            path = Path(frame.f_code.co_filename)
            project = REPO in path.parents and path.relative_to(REPO).parts[0] in ("pipeline", "assets")
            if inner is None and project:
                inner = f"{path.relative_to(REPO)}:{frame.f_lineno} {frame.f_code.co_name}"
            load = frame.f_locals.get("load") if frame.f_code.co_name == "load_gated" else None
            table = table or getattr(load, "table", None)
            frame = frame.f_back
        return (inner or "(outside the project)") + (f" [{table}]" if table else "")

    def sample() -> None:
        while not done.is_set():
            value = rss_mb(os.getpid())
            if value is not None:
                samples.append((time.time(), value, location()))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.time()
    sampler.start()
    try:
        result = pipeline_run(snapshot, workdir)
    finally:
        done.set()
        sampler.join()
    peaks: dict[str, tuple[float, int]] = {}
    for _, value, label in samples:
        top, count = peaks.get(label, (0.0, 0))
        peaks[label] = (max(top, value), count + 1)
    print(f"\n{'where (innermost project frame) [table loaded]':<100} {'max RSS':>9} {'samples':>8}")
    for label, (top, count) in sorted(peaks.items(), key=lambda item: -item[1][0])[:15]:
        print(f"{label:<100} {top:>6,.0f} MB {count:>8}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nwall {time.time() - started:.1f} s; exact peak RSS {peak:,.0f} MB (getrusage); {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--workdir", type=Path, help="fresh run directory (default: a new temporary one)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between RSS samples")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose pipeline is measured")
    parser.add_argument("--where", action="store_true", help="in this process: RSS by code location")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rss_trace_"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.where:
        where(args.snapshot, workdir, args.interval)
        return

    command = [sys.executable, "-m", "benchmarks.snapshot_benchmark", "pipeline", str(args.snapshot)]
    started = time.time()
    log = (workdir / "pipeline.log").open("w")
    child = subprocess.Popen([*command, "--workdir", str(workdir)], cwd=args.repo, stdout=log, stderr=log)
    samples: list[tuple[float, float]] = []
    while child.poll() is None:
        samples.append((time.time(), tree_pss_mb(child.pid)))  # parallel partition runs included
        time.sleep(args.interval)
    wall = time.time() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    log.close()
    if child.returncode != 0:
        raise SystemExit(f"pipeline run failed ({child.returncode}), see {workdir / 'pipeline.log'}")

    print(f"\n{'step':<58} {'time':>8} {'max PSS sampled':>16}")
    for label, start, end in step_windows(workdir / "dagster_home"):
        inside = [v for t, v in samples if start <= t <= end]
        top = f"{max(inside):,.0f} MB" if inside else "-"
        print(f"{label:<58} {end - start:>6.1f} s {top:>16}")
    top_t, top_v = max(samples, key=lambda s: s[1]) if samples else (started, 0.0)
    print(
        f"\nwall {wall:.1f} s; largest single process {peak:,.0f} MB RSS (getrusage); "
        f"highest PSS sample {top_v:,.0f} MB at +{top_t - started:.1f} s; {len(samples)} samples; workdir {workdir}"
    )


if __name__ == "__main__":
    main()
