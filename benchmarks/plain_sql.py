"""(e) of the snapshot benchmark: the essential paper counts in plain DuckDB SQL, straight from the snapshot
files, in one process (the in-run anchor the pipeline (b) is set against, b/e).

    python -m benchmarks.plain_sql SNAPSHOT_DIR [--compare BUILT_WAREHOUSE.duckdb]

One pass over the gzip JSON parts computes each work's facts (warehouse/macros/facts.sql: K(p) over the whole
byline, n(p), the Share pieces per country), then the latest-version rule across partitions and the merged ids,
the universe filter, and from the facts alone: N_A, C_A^int and Share_A per country-year, N_W and C_W^int per
year, and C_AB with s_A, s_B summed over the joint papers of every ordered pair and year, for both paper sets.
The definitions are the pipeline's own (the same macros, the same settings as DuckDB variables); `--compare`
checks the counts against a warehouse the pipeline built from the same snapshot and prints the differences, and
checks that warehouse's per-work tables, which the pipeline builds from the facts its partition runs wrote, against
today's definitions over the bylines in the same warehouse (the benchmark's smoke test asserts both are none).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb

from assets.openalex_snapshot.reader import merged_ids, open_snapshot
from assets.reference.countries import territory_frame
from assets.reference.journals import NATURE_INDEX_ISSNS_SQL, journals_frame
from benchmarks.compare_builds import float_differs
from pipeline.catalog import quote_literal
from pipeline.settings import Settings, load_settings
from pipeline.warehouse import package_sql, set_variables, sql_text

COUNTS_SQL = Path(__file__).with_name("facts_counts.sql")
# The counted tables and their keys, as core.country_year / core.world_year / core.pair_year hold them.
COUNTS = {
    "country_year": (("country", "year", "paper_set"), ("papers", "intl_papers", "share")),
    "world_year": (("year", "paper_set"), ("world_papers", "world_intl_papers")),
    "pair_year": (("country_a", "country_b", "year", "paper_set"), ("coauthored", "share_a_joint", "share_b_joint")),
}


def load_reference(conn: duckdb.DuckDBPyConnection) -> None:
    """ref.territory_map and ref.nature_index_issns from the sources the reference assets load them from."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS ref")
    conn.register("territory_rows", territory_frame().to_arrow())
    conn.execute("CREATE OR REPLACE TABLE ref.territory_map AS SELECT * FROM territory_rows")
    conn.register("journal_rows", journals_frame().to_arrow())
    conn.execute("CREATE OR REPLACE TABLE ref.nature_index_journals AS SELECT * FROM journal_rows")
    conn.execute(f"CREATE OR REPLACE TABLE ref.nature_index_issns AS {NATURE_INDEX_ISSNS_SQL}")


def facts_counts(conn: duckdb.DuckDBPyConnection, snapshot_dir: Path, settings: Settings) -> dict[str, float]:
    """Create the tables counts_country_year, counts_world_year and counts_pair_year on `conn`; returns the
    seconds each stage took."""
    snapshot = open_snapshot(snapshot_dir)
    files = [str(part.path) for part in snapshot.parts]
    conn.execute(sql_text("macros/records.sql"))  # author_pieces, which the facts share with core
    conn.execute(sql_text("macros/facts.sql"))
    conn.execute(COUNTS_SQL.read_text(encoding="utf-8"))  # the anchor's own rules and counts, from the facts
    load_reference(conn)
    set_variables(conn, settings)
    conn.execute(package_sql("assets.openalex_snapshot", "staging.sql"))  # after merged_ids, which releases it
    conn.execute("SET VARIABLE snapshot_part_files = ?", [files])
    timings, started = {}, time.perf_counter()
    conn.execute(
        "CREATE OR REPLACE TEMP VIEW snapshot_records AS "
        "SELECT *, regexp_extract(part_file, 'updated_date=(\\d{4}-\\d{2}-\\d{2})', 1)::DATE AS partition_date, "
        # the last tie-break of the latest rule (the same id twice in one part with the same updated_date) is
        # the later line in the pipeline; a plain scan has no line number, so such twins tie here
        "0 AS record_no FROM snapshot_jsonl_works(getvariable('snapshot_part_files'))"
    )
    conn.execute("CREATE OR REPLACE TEMP TABLE facts AS SELECT * FROM work_facts('snapshot_records')")
    timings["scan_and_facts_s"] = time.perf_counter() - started
    conn.register("merged_rows", merged_ids(conn, snapshot).select("id").to_arrow())
    conn.execute("CREATE OR REPLACE TEMP TABLE merged AS SELECT id FROM merged_rows")
    conn.execute("CREATE OR REPLACE TEMP TABLE latest AS SELECT * FROM latest_work_facts('facts', 'merged')")
    conn.execute("CREATE OR REPLACE TEMP TABLE paper_sets AS SELECT * FROM facts_paper_sets('latest')")
    for table in COUNTS:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE counts_{table} AS SELECT * FROM facts_{table}('paper_sets')")
    timings["aggregation_s"] = time.perf_counter() - started - timings["scan_and_facts_s"]
    return timings


def _count_against_build(conn: duckdb.DuckDBPyConnection, built: Path, queries: dict[str, str]) -> dict[str, int]:
    """Run each `SELECT count(*) …` query with the pipeline's build file attached read-only as `built`."""
    conn.execute(f"ATTACH {quote_literal(built)} AS built (READ_ONLY)")
    try:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in queries.items()}
    finally:
        conn.execute("DETACH built")


def differences(conn: duckdb.DuckDBPyConnection, built: Path, tolerance: float = 1e-9) -> dict[str, int]:
    """Rows where the facts' counts and the pipeline's core tables differ (the Shares by more than `tolerance`,
    relative above 1), per table. The pipeline's zero-filled rows (a known 0) are left out on its side."""
    queries = {}
    for table, (keys, values) in COUNTS.items():
        nonzero = " OR ".join(f"b.{v} <> 0" for v in values)
        differs = " OR ".join(
            float_differs(f"coalesce(f.{v}, 0)", f"coalesce(b.{v}, 0)", tolerance)
            if "share" in v
            else f"coalesce(f.{v}, 0) <> coalesce(b.{v}, 0)"
            for v in values
        )
        on = " AND ".join(f"f.{k} = b.{k}" for k in keys)
        queries[table] = (
            f"SELECT count(*) FROM counts_{table} AS f "
            f"FULL JOIN (SELECT * FROM built.core.{table} AS b WHERE {nonzero}) AS b ON {on} WHERE {differs}"
        )
    return _count_against_build(conn, built, queries)


# Today's per-authorship definitions of the per-work tables the facts now feed (the SQL those tables had before
# core.work_facts): where (b) keeps both, every count and mart downstream reads only these three tables.
BYLINE_DEFINITIONS = {
    "work_country_shares": (
        ("work_id", "country"),
        ("share",),
        "SELECT work_id, country, sum(1.0 / (n_authors * n_affiliations)) AS share "
        "FROM built.core.authorship_affiliations GROUP BY ALL",
    ),
    "work_countries": (
        ("work_id", "country"),
        (),
        "SELECT DISTINCT w.work_id, coalesce(t.to_code, c.code) AS country FROM built.core.works AS w "
        "JOIN (SELECT work_id, unnest(countries) AS code FROM built.core.work_records) AS c USING (work_id) "
        "LEFT JOIN built.ref.territory_map AS t ON t.policy = getvariable('territory_policy') AND t.from_code = c.code",
    ),
    "works": (
        ("work_id",),
        ("year", "type", "is_paratext", "is_retracted", "n_authorships", "issns"),
        "SELECT work_id, publication_year AS year, type, is_paratext, is_retracted, n_authorships, "
        "coalesce(issns, []) AS issns FROM built.core.work_records",
    ),
}


def byline_differences(conn: duckdb.DuckDBPyConnection, built: Path, tolerance: float = 1e-9) -> dict[str, int]:
    """Rows where a per-work table the pipeline built from the facts differs from today's definition over the
    bylines (core.work_records, core.authorship_affiliations) in the same warehouse, per table. A check, not part
    of (e): it may take DuckDB's default memory (at 10M works, 50M affiliation pieces are grouped)."""
    conn.execute("RESET memory_limit")
    conn.execute("SET preserve_insertion_order = false")
    queries = {}
    for table, (keys, values, sql) in BYLINE_DEFINITIONS.items():
        on = " AND ".join(f"f.{k} = b.{k}" for k in keys)
        differs = " OR ".join(
            [f"f.{keys[0]} IS NULL", f"b.{keys[0]} IS NULL"]
            + [
                float_differs(f"f.{v}", f"b.{v}", tolerance) if v == "share" else f"f.{v} IS DISTINCT FROM b.{v}"
                for v in values
            ]
        )
        columns = ", ".join((*keys, *values))
        queries[table] = (
            f"SELECT count(*) FROM (SELECT {columns} FROM built.core.{table}) AS f FULL JOIN ({sql}) AS b ON {on} "
            f"WHERE {differs}"
        )
    return _count_against_build(conn, built, queries)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--compare", type=Path, help="a warehouse (build file) the pipeline made from the snapshot")
    parser.add_argument("--years", default="2010-2024")
    args = parser.parse_args(argv)
    settings = load_settings(
        {
            **(env or {}),
            "COLLAB_MODE": "snapshot",
            "OPENALEX_SNAPSHOT_DIR": str(args.snapshot),
            "COLLAB_YEARS": args.years,
        }
    )
    conn = duckdb.connect()
    timings = facts_counts(conn, args.snapshot, settings)
    rows = {t: conn.execute(f"SELECT count(*) FROM counts_{t}").fetchone()[0] for t in COUNTS}
    report: dict = {**timings, "rows": rows}
    if args.compare:
        report["differences"] = differences(conn, args.compare)
        report["byline_differences"] = byline_differences(conn, args.compare)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
