"""Snapshot-mode benchmark: prints figures, asserts nothing (targets live here, not in timed tests).

    python -m benchmarks.snapshot_benchmark [--sizes 250000,500000,1000000] [--naive-works 20000] [--workdir DIR]

For each size N it generates N SYNTHETIC works in the snapshot layout (benchmarks.generate_snapshot; reused
from --workdir when already there) and reports side by side:
  (a) DuckDB's raw scan of the same files, projecting the fields the pipeline needs (the local limit);
  (b) this pipeline: snapshot extraction of every partition + the works table + core + all-pairs
      mart.bilateral_papers, through Dagster, into a fresh warehouse;
  (c) a naive per-paper Python implementation of the same counts on a subset, extrapolated to N;
  (d) the peak memory of (b): its processes' proportional set sizes summed (the partition runs go
      COLLAB_SNAPSHOT_WORKERS side by side, default 2, as scripts/materialize.sh runs them), and the peak
      RSS of its largest single process;
      (a)'s, for scale;
  (e) the essential counts in plain DuckDB SQL from the same files (benchmarks/plain_sql.py: per-work facts in
      one scan, the latest-version rule, the universe, country-year, world-year and every pair-year with the
      Share sums), its compute time without the process start-up: the in-run anchor, b/e; it is also checked
      against (b)'s core tables ("(e) vs (b)": equal, or how many rows differ);
and "facts vs bylines": (b)'s per-work tables, built from the facts its partition runs wrote, against today's
definitions over the bylines in the same warehouse (every count and mart downstream reads only those tables).
Each of (a), (b), (c) runs in its own process tree, measured by a wrapper (wall time, peak RSS of the largest
process) while the benchmark samples the memory (PSS) of the whole tree.
A second table splits (b): start-up (imports, instance), the partition runs (set against (a)) and the load of
the warehouse with every index.
It ends with the API plan's cost: HTTP calls for a full live CN–US refresh against a free key's daily budget.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The fields the pipeline projects (assets/openalex_snapshot/reader.py reads the same ones).
RAW_SCAN_SQL = """
SELECT count(*) AS works, sum(len(authorships)) AS authorships,
       count(DISTINCT publication_year) AS years
FROM read_json(?, format = 'newline_delimited', compression = 'gzip', ignore_errors = true, columns = {
    'id': 'VARCHAR', 'publication_year': 'INTEGER', 'type': 'VARCHAR', 'is_paratext': 'BOOLEAN',
    'is_retracted': 'BOOLEAN',
    'primary_location': 'STRUCT(source STRUCT(issn VARCHAR[]))',
    'authorships': 'STRUCT(institutions STRUCT(id VARCHAR, country_code VARCHAR)[], countries VARCHAR[])[]'
})
"""
BENCH_YEARS = "2010-2024"  # the generator's publication years
# Free OpenAlex key (docs/methods.md#openalex-api, developers.openalex.org 2026): about 10,000 list/filter calls a day.
FREE_KEY_LIST_CALLS_PER_DAY = 10_000


def part_files(snapshot: Path) -> list[str]:
    return sorted(str(p) for p in snapshot.glob("data/**/updated_date=*/*.gz"))


# --- the measured programs ----------------------------------------------------------------------------


def raw_scan(snapshot: Path) -> dict:
    import duckdb

    works, authorships, years = duckdb.connect().execute(RAW_SCAN_SQL, [part_files(snapshot)]).fetchall()[0]
    return {"works": works, "authorships": authorships, "years": years}


def _extract_partition(partition: str) -> bool:
    """One partition run, in a worker process (its own instance handle on the shared DAGSTER_HOME)."""
    import dagster as dg

    from assets.definitions import defs
    from assets.openalex_snapshot.parts import PARTS

    with dg.DagsterInstance.get() as instance:
        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(
            instance=instance, partition_key=partition, asset_selection=[dg.AssetKey(PARTS.split("."))]
        )
    return result.success


def pipeline_run(snapshot: Path, workdir: Path) -> dict:
    """The pipeline as deployed: Dagster assets in snapshot mode, every partition, then the marts."""
    os.environ.update(
        {
            "COLLAB_MODE": "snapshot",
            "OPENALEX_SNAPSHOT_DIR": str(snapshot),
            "COLLAB_SNAPSHOT_STORE": str(workdir / "store"),
            "COLLAB_WAREHOUSE": str(workdir / "warehouse.duckdb"),
            "COLLAB_YEARS": BENCH_YEARS,
            "COLLAB_REPORT_DIR": str(workdir / "reports"),
            "DAGSTER_HOME": str(workdir / "dagster_home"),
        }
    )
    (workdir / "dagster_home").mkdir(parents=True, exist_ok=True)
    begun = time.perf_counter()
    import dagster as dg

    from assets.definitions import defs
    from assets.openalex_snapshot.parts import PARTS, SNAPSHOT_PARTITIONS
    from assets.openalex_snapshot.reader import open_snapshot

    instance = dg.DagsterInstance.get()
    partitions = [p.isoformat() for p in open_snapshot(snapshot).partitions()]
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, partitions)
    job = defs.resolve_implicit_global_asset_job_def()
    graph = defs.resolve_asset_graph()
    parts_key = dg.AssetKey(PARTS.split("."))
    timings = {}
    started = time.perf_counter()
    # Importing Dagster, great-expectations and the definitions, and opening the instance: a fixed cost.
    timings["startup_s"] = started - begun
    # One run per partition, COLLAB_SNAPSHOT_WORKERS side by side, as scripts/materialize.sh runs them (the
    # partition runs write Parquet files, never the warehouse). Forked workers start with the imports done.
    workers = int(os.environ.get("COLLAB_SNAPSHOT_WORKERS", "2"))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for partition, success in zip(partitions, pool.map(_extract_partition, partitions), strict=True):
            assert success, partition
    timings["partition_workers"] = workers
    timings["extract_s"] = time.perf_counter() - started
    # Everything mart.bilateral_papers needs, from the partition files on.
    papers = dg.AssetSelection.assets(dg.AssetKey(["mart", "bilateral_papers"])).upstream()
    target = (papers - dg.AssetSelection.assets(parts_key)).required_multi_asset_neighbors()
    started = time.perf_counter()
    result = job.execute_in_process(instance=instance, asset_selection=list(target.resolve(graph)))
    assert result.success
    timings["load_and_indices_s"] = time.perf_counter() - started
    import duckdb

    from pipeline.publish import build_path

    # The selection stops before publish/warehouse (write-audit-publish): the run's tables are in the build file.
    conn = duckdb.connect(str(build_path(Path(os.environ["COLLAB_WAREHOUSE"]))), read_only=True)
    pairs, rows, works = conn.execute(
        "SELECT count(DISTINCT (country_a, country_b)), count(*), "
        "(SELECT count(*) FROM raw.openalex_snapshot_works) FROM mart.bilateral_papers"
    ).fetchall()[0]
    return {**timings, "pairs": pairs, "mart_rows": rows, "works_loaded": works}


def _lines(path: str):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        yield from fh


def naive(snapshot: Path, limit: int) -> dict:
    """Per-paper Python: json.loads each line, loop over authors, count pairs in dicts."""
    papers, pair_counts, shares = 0, Counter(), Counter()
    lines = (line for f in part_files(snapshot) for line in _lines(f))
    for line in itertools.islice(lines, limit):
        work = json.loads(line)
        authors = work.get("authorships") or []
        if not authors:
            continue
        papers += 1
        countries = set()
        for author in authors:
            codes = [i.get("country_code") or "UNK" for i in author.get("institutions") or []] or list(
                author.get("countries") or ["UNK"]
            )
            for code in codes:
                shares[(work["publication_year"], code)] += 1 / (len(authors) * len(codes))
            countries.update(c for c in author.get("countries") or [])
        for a, b in itertools.permutations(sorted(countries), 2):
            pair_counts[(work["publication_year"], a, b)] += 1
    return {"papers": papers, "pairs": len(pair_counts)}


# --- measuring ------------------------------------------------------------------------------------------


def tree_pss_mb(pid: int) -> float:
    """Memory of a process and all its descendants: the sum of their proportional set sizes (PSS: a page
    shared by k processes, as the imports are after a fork, counts 1/k in each), so the total is what the
    tree holds, not its RSS counted once per process. 0 once the process is gone."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = [
                int(c)
                for task in Path(f"/proc/{current}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]
        except OSError:
            continue
        total += next((int(line.split()[1]) / 1024 for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        stack += children
    return total


def measure(args: list[str], interval: float = 0.2) -> dict:
    """Run `python -m benchmarks.snapshot_benchmark <args>` in a wrapper process that reports its child's
    wall time and peak RSS (getrusage: the largest single process), while this process samples the memory
    (PSS) of the whole process tree every `interval` seconds (parallel workers included)."""
    wrapper = (
        "import json, resource, subprocess, sys, time; t = time.perf_counter(); "
        "out = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "wall = time.perf_counter() - t; "
        "print(json.dumps({'wall_s': wall, 'rc': out.returncode, 'stdout': out.stdout[-4000:], "
        "'stderr': out.stderr[-4000:], 'max_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "benchmarks.snapshot_benchmark", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    tree_peak = 0.0
    while proc.poll() is None:
        tree_peak = max(tree_peak, tree_pss_mb(proc.pid))
        time.sleep(interval)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step {args[0]}: the wrapper failed ({proc.returncode})")
    report = json.loads(out)
    if report["rc"] != 0:
        raise SystemExit(f"benchmark step {args[0]} failed:\n{report['stderr']}")
    report["result"] = json.loads(report["stdout"].strip().splitlines()[-1])
    report["tree_mb"] = tree_peak
    return report


def generate(snapshot: Path, works: int) -> float:
    if (snapshot / "README.md").exists():
        return 0.0
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.generate_snapshot", str(snapshot), "--works", str(works)],
        cwd=REPO,
        check=True,
    )
    return time.perf_counter() - started


def api_plan_cost(joint_per_year: int, large_per_year: int) -> str:
    import duckdb

    from assets.openalex.plan import issn_chunks, plan_group_queries, plan_record_queries, universe_filters
    from assets.reference.journals import NATURE_INDEX_ISSNS_SQL, journals_frame
    from pipeline.settings import load_settings

    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA ref")
    conn.register("journals", journals_frame().to_arrow())
    conn.execute("CREATE TABLE ref.nature_index_journals AS SELECT * FROM journals")
    journal_issns = [
        r[0]
        for r in conn.execute(
            f"SELECT list(issn ORDER BY issn) FROM ({NATURE_INDEX_ISSNS_SQL}) GROUP BY journal ORDER BY journal"
        ).fetchall()
    ]

    settings = load_settings({"COLLAB_MODE": "live", "COLLAB_FOCUS": "CN,US", "COLLAB_YEARS": "2015-2024"})
    years = settings.year_list
    universe = universe_filters(settings.work_types, settings.exclude_paratext, settings.exclude_retracted)
    groups = plan_group_queries(settings, years, universe, issn_chunks(journal_issns, 50))
    records = plan_record_queries(settings, years, universe)
    pairs = [r for r in records if r.pair is not None]
    large = len(records) - len(pairs)
    pages = len(pairs) * math.ceil(joint_per_year / 100) + large * math.ceil(large_per_year / 100)
    total = len(groups) + pages
    return (
        f"API plan, full live CN–US refresh {years[0]}-{years[-1]}: {len(groups)} group_by calls + "
        f"{len(pairs)} pair record queries × ceil({joint_per_year:,} joint works/yr ÷ 100 per page) + "
        f"{large} queries of works with more than 100 authors × ceil({large_per_year:,}/yr ÷ 100) = {pages:,} pages "
        f"→ {total:,} list calls (+ {large * large_per_year:,} singleton re-reads of those works, free). "
        f"A free key allows ≈{FREE_KEY_LIST_CALLS_PER_DAY:,} list calls/day: {total / FREE_KEY_LIST_CALLS_PER_DAY:.1%} "
        f"of a day's budget. All pairs for all years this way is not feasible: that is the snapshot's job."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    for name in ("raw-scan", "pipeline", "naive", "plain-sql"):
        p = sub.add_parser(name)
        p.add_argument("snapshot", type=Path)
        p.add_argument("--workdir", type=Path)
        p.add_argument("--limit", type=int, default=20_000)
        p.add_argument("--compare", type=Path)
    parser.add_argument("--sizes", default="250000,500000,1000000", help="works per run, comma-separated")
    parser.add_argument("--naive-works", type=int, default=20_000, help="subset for (c), extrapolated")
    parser.add_argument("--workdir", type=Path, help="keep generated snapshots here (reused when present)")
    parser.add_argument(
        "--joint-per-year",
        type=int,
        default=60_000,
        help="assumed CN–US joint works a year, for the API cost (an assumption, printed)",
    )
    parser.add_argument(
        "--large-per-year",
        type=int,
        default=3_000,
        help="assumed universe works a year with more than 100 authors, for the API cost (an assumption, printed)",
    )
    args = parser.parse_args()

    if args.command == "raw-scan":
        print(json.dumps(raw_scan(args.snapshot)))
        return
    if args.command == "pipeline":
        print(json.dumps(pipeline_run(args.snapshot, args.workdir)))
        return
    if args.command == "naive":
        print(json.dumps(naive(args.snapshot, args.limit)))
        return
    if args.command == "plain-sql":
        from benchmarks import plain_sql

        plain_sql.main([str(args.snapshot), "--compare", str(args.compare), "--years", BENCH_YEARS])
        return

    from pipeline.publish import build_path

    base = args.workdir or Path(tempfile.mkdtemp(prefix="collab-bench-"))
    print(f"benchmark workdir: {base}; {os.cpu_count()} cores", flush=True)
    header = (
        f"{'works':>9} | {'(a) raw scan':>12} | {'(b) pipeline':>12} | {'b/a':>5} | {'(c) naive, extrap.':>18}"
        f" | {'(d) peak PSS b':>14} | {'1 proc RSS':>10} | {'RSS a':>8} | {'(e) plain SQL':>13} | {'b/e':>5}"
        f" | pairs | (e) vs (b) | facts vs bylines"
    )
    lines, split = [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        snapshot = base / f"snapshot_{n}"
        gen_s = generate(snapshot, n)
        a = measure(["raw-scan", str(snapshot)])
        run_dir = Path(tempfile.mkdtemp(prefix=f"run_{n}_", dir=base))
        b = measure(["pipeline", str(snapshot), "--workdir", str(run_dir)])
        c = measure(["naive", str(snapshot), "--limit", str(min(args.naive_works, n))])
        # (e) against (b)'s build file: the same counts, and where they differ (they must not)
        e = measure(["plain-sql", str(snapshot), "--compare", str(build_path(run_dir / "warehouse.duckdb"))])
        e_s = e["result"]["scan_and_facts_s"] + e["result"]["aggregation_s"]
        differ = sum(e["result"]["differences"].values())
        byline = sum(e["result"]["byline_differences"].values())
        naive_s = c["wall_s"] * n / min(args.naive_works, n)
        line = (
            f"{n:>9,} | {a['wall_s']:>10.1f} s | {b['wall_s']:>10.1f} s | {b['wall_s'] / a['wall_s']:>5.2f} | "
            f"{naive_s:>16.0f} s | {b['tree_mb']:>11.0f} MB | {b['max_rss_mb']:>7.0f} MB | "
            f"{a['max_rss_mb']:>5.0f} MB | {e_s:>11.1f} s | {b['wall_s'] / e_s:>5.2f} | "
            f"{b['result']['pairs']:,} | {'equal' if differ == 0 else f'{differ} rows differ'} | "
            f"{'equal' if byline == 0 else f'{byline} rows differ'}"
        )
        lines.append(line)
        r = b["result"]
        split.append(
            f"{n:>9,} | {r['startup_s']:>8.1f} s | {r['extract_s']:>12.1f} s | {r['extract_s'] / a['wall_s']:>5.2f} | "
            f"{r['load_and_indices_s']:>13.1f} s"
        )
        print(
            f"  N={n:,}: generated in {gen_s:.0f} s; (a) {a['result']}; (b) {b['result']}; (c) {c['result']}; "
            f"(e) {e['result']}",
            flush=True,
        )
    print()
    print(header)
    print("-" * len(header))
    print("\n".join(lines))
    print()
    # Where (b)'s time goes: reading the files is (a) itself; the rest is what 2x of (a) leaves room for.
    header = f"{'works':>9} | {'(b) start-up':>10} | {'partition runs':>14} | {'÷ (a)':>5} | {'load + indices':>15}"
    print(header)
    print("-" * len(header))
    print("\n".join(split))
    print()
    print(api_plan_cost(args.joint_per_year, args.large_per_year))


if __name__ == "__main__":
    main()
