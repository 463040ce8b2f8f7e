"""The DuckDB warehouse: connections, run variables, SQL files and gated, atomic loads.

Every load runs in one transaction: write the table(s), validate them with great-expectations
where they stand, then COMMIT only if every suite passed. A failed suite or any error rolls back,
so a failed run leaves every table exactly as it was.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from pipeline.catalog import comment_on, table_exists
from pipeline.migrations import Migration, migrate, read_migrations
from pipeline.publish import Publication, build_path, record_manifest, seed_build, swap_in
from pipeline.settings import Settings
from pipeline.tables import declared
from pipeline.validation import Suite, SuiteResult, validate_query

# The core, mart and reference SQL, the macros, migrations and the dictionary ship inside the `warehouse`
# package (a wheel install finds them there, not through a repository checkout).
SQL_ROOT = importlib.resources.files("warehouse")
# Files written by duckdb 2.x are unreadable by 1.x and by the PyPI duckdb CLI unless pinned to an
# older storage format; consumers are likely to have 1.x (docs/methods.md#software-notes).
STORAGE_COMPATIBILITY = "v1.5.0"


def sql_text(relative: str) -> str:
    """A SQL file of the `warehouse` package (e.g. core/works.sql), found through importlib.resources."""
    return SQL_ROOT.joinpath(relative).read_text(encoding="utf-8")


def package_sql(package: str, name: str) -> str:
    """A SQL file shipped beside a source slice's code (e.g. assets.uis, raw.sql)."""
    return importlib.resources.files(package).joinpath(name).read_text(encoding="utf-8")


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = {} if read_only else {"storage_compatibility_version": STORAGE_COMPATIBILITY}
    return duckdb.connect(str(path), read_only=read_only, config=config)


@functools.cache
def shipped_migrations() -> tuple[Migration, ...]:
    return tuple(read_migrations(SQL_ROOT.joinpath("migrations")))


def init_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Migrations an existing warehouse has not had (pipeline.migrations), then the idempotent DDL and
    the macros."""
    migrate(conn, shipped_migrations(), where=_database_file(conn))
    conn.execute(sql_text("schema/raw.sql"))
    for table in declared():
        conn.execute(table.ddl())
    conn.execute(sql_text("macros/indices.sql"))
    conn.execute(sql_text("macros/run.sql"))
    conn.execute(sql_text("macros/series.sql"))
    conn.execute(sql_text("macros/flights.sql"))
    conn.execute(sql_text("macros/bootstrap.sql"))
    conn.execute(sql_text("macros/records.sql"))
    conn.execute(sql_text("macros/facts.sql"))  # after records.sql: work_facts uses author_pieces


def _database_file(conn: duckdb.DuckDBPyConnection) -> str:
    path = conn.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return (path[0][0] if path else None) or "an in-memory warehouse"


def _bounds(name: str, span: tuple[int, int]) -> dict[str, int]:
    """A year range as the two variables the SQL reads: <name>_first and <name>_last."""
    return {f"{name}_first": span[0], f"{name}_last": span[1]}


def set_variables(conn: duckdb.DuckDBPyConnection, settings: Settings, **extra: Any) -> None:
    """Run settings as DuckDB variables, read by the SQL files through getvariable()."""
    values: dict[str, Any] = {
        "source_mode": settings.mode,
        **_bounds("year", settings.years),
        "territory_policy": settings.territory_policy,
        "work_types": list(settings.work_types),
        "exclude_paratext": settings.exclude_paratext,
        "exclude_retracted": settings.exclude_retracted,
        "focus": list(settings.focus),
        **_bounds("did_pre", settings.did_pre),
        **_bounds("did_post", settings.did_post),
        "base_year": settings.base_year,
        "break_years": list(settings.break_years),
        "bootstrap_replicates": settings.bootstrap_replicates,
        "bootstrap_seed": settings.bootstrap_seed,
        "ties_lookback_years": settings.collab_ties_lookback_years,
        "ties_max_authors": settings.collab_ties_max_authors,
        # assets.openalex.plan.AUTHOR_CUT (a test checks they agree): marts that add the large bylines to
        # group_by counts (mart.bilateral_papers_by_field, live mode) read it through macros/run.sql
        "author_cut": 100,
        "record_scope": {
            "sample": "every work in the bundled sample",
            "snapshot": "every work in the OpenAlex snapshot copy",
        }.get(
            settings.mode,
            "joint works of pairs between focus countries "
            + ",".join(settings.focus)
            + " and every universe work with more than 100 authors",
        ),
        **extra,
    }
    for name, value in values.items():
        conn.execute(f"SET VARIABLE {name} = ?", [value])  # name: a constant of this module
    conn.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")  # validated by parse_memory
    # Tables are written from set-based SQL whose row order means nothing (checksums, suites and readers never
    # rely on it); without this DuckDB buffers whole results to keep their order, which ran a 10M-works build
    # out of memory (docs/scale.md).
    conn.execute("SET preserve_insertion_order = false")


@dataclass(frozen=True)
class TableLoad:
    """Write `select_sql` into `table`: replace the rows matching `scope` (a predicate over the
    table using getvariable()), or the whole table when scope is None. `suites(previous_rows)`
    gives the GX suites to run on the written rows (for a scoped load, the rows of this load_id);
    their view_sql reads `{table}`. `previous_rows` counts the rows matching `scope`, or
    `compare_scope` for whole-table loads (e.g. only rows of the same source_mode)."""

    table: str
    select_sql: str
    suites: Callable[[int], Sequence[Suite]] = lambda previous: ()
    scope: str | None = None
    compare_scope: str | None = None
    # Whole-table loads of bundled reference data: when only these columns would change, keep the
    # table as it is, so re-running (or a run that fails later) leaves it untouched.
    keep_unless_changed: tuple[str, ...] = ()
    comments: dict[str, str] = field(default_factory=dict)  # '' → table comment; column → comment


@dataclass(frozen=True)
class LoadOutcome:
    table: str
    rows: int
    previous_rows: int
    results: list[SuiteResult]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)


class GateFailed(Exception):
    """A blocking (critical) great-expectations rule failed; nothing was written."""

    def __init__(self, outcomes: list[LoadOutcome]) -> None:
        self.outcomes = outcomes
        failed = [
            f"{r.suite}: " + "; ".join(f.describe() for f in r.errors)
            for o in outcomes
            for r in o.results
            if not r.success
        ]
        super().__init__("validation failed, warehouse unchanged: " + " | ".join(failed))


def _same_content(conn: duckdb.DuckDBPyConnection, load: TableLoad) -> bool:
    """Whether `select_sql` would write the rows the table holds, but for the `keep_unless_changed` columns:
    compared by row count and the order-independent checksum the publication manifest uses (sum of row
    hashes), so nothing is materialised twice (EXCEPT ALL over the snapshot's works took 29 s at 1M works,
    the checksums under 1 s)."""
    ignore = ", ".join(load.keep_unless_changed)

    def checksum(relation: str) -> tuple:
        rows = f"SELECT * EXCLUDE ({ignore}) FROM {relation}"
        return conn.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0)::HUGEINT FROM ({rows}) t").fetchall()[0]

    return checksum(f"(\n{load.select_sql}\n)") == checksum(load.table)  # newlines: the SQL may end in a comment


def apply_comments(conn: duckdb.DuckDBPyConnection, table: str, comments: Mapping[str, str]) -> None:
    """COMMENT ON the table ('' key) and its columns, so the documentation travels with the file."""
    comment_on(conn, table, comments)


def load_gated(conn: duckdb.DuckDBPyConnection, loads: Sequence[TableLoad]) -> list[LoadOutcome]:
    """Run the loads in order in one transaction; commit only if no critical rule failed (failed
    warning rules are reported in the outcomes and the data is committed).

    Later loads may read tables written by earlier ones (they see the uncommitted state).
    Raises GateFailed (after rolling back) when a suite fails.
    """
    outcomes: list[LoadOutcome] = []
    conn.execute("BEGIN TRANSACTION")
    try:
        for load in loads:
            before = load.scope or load.compare_scope or "true"
            previous = (
                conn.execute(f"SELECT count(*) FROM {load.table} WHERE {before}").fetchall()[0][0]
                if table_exists(conn, load.table)
                else 0
            )
            relation = (
                f"(SELECT * FROM {load.table} WHERE load_id = getvariable('load_id'))" if load.scope else load.table
            )
            if load.scope:
                conn.execute(f"DELETE FROM {load.table} WHERE {load.scope}")
                conn.execute(f"INSERT INTO {load.table} BY NAME {load.select_sql}")
            elif load.keep_unless_changed and previous and _same_content(conn, load):
                pass
            else:
                conn.execute(f"CREATE OR REPLACE TABLE {load.table} AS {load.select_sql}")
            rows = conn.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
            results = [
                validate_query(conn, suite.view_sql.format(table=relation), suite) for suite in load.suites(previous)
            ]
            apply_comments(conn, load.table, load.comments)
            outcomes.append(LoadOutcome(load.table, rows, previous, results))
        if not all(o.success for o in outcomes):
            conn.execute("ROLLBACK")
            raise GateFailed(outcomes)
        conn.execute("COMMIT")
    except GateFailed:
        raise
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return outcomes


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse. Empty `path` means the run settings' warehouse (COLLAB_WAREHOUSE, default
    warehouse/collab.duckdb), the published file readers open; assets write its build copy and `publish`
    swaps it in (pipeline.publish).

    Not dagster-duckdb's DuckDBResource: its connection is not closed when the block raises and it
    cannot pin the storage format (docs/methods.md#software-notes).
    """

    path: str = ""

    def published_path(self, settings: Settings) -> Path:
        return Path(self.path) if self.path else settings.warehouse

    def build_path(self, settings: Settings) -> Path:
        return build_path(self.published_path(settings))

    @contextmanager
    def connection(self, settings: Settings, **variables: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        seed_build(self.build_path(settings), self.published_path(settings))
        conn = connect(self.build_path(settings))
        try:
            init_schema(conn)
            set_variables(conn, settings, **variables)
            yield conn
        finally:
            conn.close()

    def publish(
        self, run_id: str, settings: Settings, comments: Mapping[str, Mapping[str, str]] | None = None
    ) -> Publication:
        """Record the manifest (documented with `comments` per meta table) and publish the build atomically: a
        new small file with the large tables as views over Parquet, renamed over the published one
        (pipeline.publish, pipeline.lake)."""
        at = datetime.now(UTC)
        published = self.published_path(settings)
        with self.connection(settings) as conn:
            checksums = record_manifest(conn, run_id, settings.mode, at)
            for table, text in (comments or {}).items():
                apply_comments(conn, table, text)
            swapped = swap_in(conn, self.build_path(settings), published, run_id)
        return Publication(
            run_id,
            at,
            published,
            len(checksums),
            sum(r[1] for r in checksums),
            swapped.bytes,
            sum(f.bytes for f in swapped.files),
            tuple(f.table for f in swapped.files if f.exported),
        )
