"""Are two warehouses the same data? Every table they share, row for row, floats within a tolerance (relative,
for values above 1).

    python -m benchmarks.compare_builds BEFORE.duckdb AFTER.duckdb [--tolerance 1e-9]

For a change that must not change results (the per-work facts, say): build the same works with the commit before
and after it (the benchmark keeps each run's build file under its workdir, `run_*/build/warehouse.duckdb`), then
compare. Each table's rows are paired in the order of all their columns (the exact ones first), so no key is
needed; the columns that say when and by which run a row was written (`load_id`, `retrieved_at`) and the runs'
bookkeeping (schema `meta`) are left out.
Prints one line per table and exits 1 when any shared table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipeline.catalog import quote_literal, quote_name, table_columns

RUN_COLUMNS = ("load_id", "retrieved_at")  # differ between any two runs by design
RUN_SCHEMAS = ("meta",)  # the runs' own bookkeeping (migrations applied, publications)
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def float_differs(x: str, y: str, tolerance: float) -> str:
    """SQL: the floats x and y differ by more than `tolerance`, relative to their size above 1 (a Share summed over
    100,000 papers in another order differs by ~1e-9 absolute, ~1e-14 relative)."""
    return f"abs({x} - {y}) > {tolerance} * greatest(1.0, abs({x}), abs({y}))"


def _tables(conn: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    rows = conn.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND NOT temporary AND NOT list_contains(?, schema_name)",
        [database, list(RUN_SCHEMAS)],
    ).fetchall()
    return {r[0] for r in rows}


def differing_rows(conn: duckdb.DuckDBPyConnection, table: str, tolerance: float) -> tuple[int, int, int]:
    """(rows before, rows after, rows that differ) of `table`, attached as `before` and `after`."""
    columns = [(c, t) for c, t in table_columns(conn, table, "before") if c not in RUN_COLUMNS]
    after = dict(table_columns(conn, table, "after"))
    if any(after.get(c) != t for c, t in columns):
        raise ValueError(f"{table}: the columns differ ({columns} against {sorted(after.items())})")
    exact = [quote_name(c) for c, t in columns if t not in FLOAT_TYPES]
    floats = [quote_name(c) for c, t in columns if t in FLOAT_TYPES]
    order = ", ".join(exact + floats)
    select = ", ".join(exact + floats)
    differs = " OR ".join(
        ["x.rn IS NULL", "y.rn IS NULL"]
        + [f"x.{c} IS DISTINCT FROM y.{c}" for c in exact]
        + [f"(x.{c} IS NULL) <> (y.{c} IS NULL) OR {float_differs(f'x.{c}', f'y.{c}', tolerance)}" for c in floats]
    )
    numbered = "SELECT {select}, row_number() OVER (ORDER BY {order}) AS rn FROM {db}.{table}"
    sql = (
        f"WITH x AS ({numbered.format(select=select, order=order, db='before', table=table)}), "
        f"y AS ({numbered.format(select=select, order=order, db='after', table=table)}) "
        f"SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM y), "
        f"(SELECT count(*) FROM x FULL JOIN y USING (rn) WHERE {differs})"
    )
    before_rows, after_rows, differ = conn.execute(sql).fetchone()
    return before_rows, after_rows, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args(argv)
    conn = duckdb.connect()
    conn.execute(f"ATTACH {quote_literal(args.before)} AS before (READ_ONLY)")
    conn.execute(f"ATTACH {quote_literal(args.after)} AS after (READ_ONLY)")
    before, after = _tables(conn, "before"), _tables(conn, "after")
    failed = False
    for table in sorted(before | after):
        if table not in after or table not in before:
            print(f"{table}: only {'before' if table in before else 'after'}")
            continue
        rows_before, rows_after, differ = differing_rows(conn, table, args.tolerance)
        failed |= differ > 0
        verdict = "equal" if differ == 0 else f"{differ} rows differ"
        print(f"{table}: {rows_before:,} rows before, {rows_after:,} after: {verdict}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
