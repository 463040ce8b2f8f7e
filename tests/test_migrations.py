"""Upgrades keep the warehouse: a file written by the previous release (its DDL frozen in
data/schema/raw_2a35143.sql, the schema of release 2a35143) is migrated in place by this release."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.catalog import table_columns
from pipeline.migrations import Migration, MigrationError, migrate, read_migrations
from pipeline.warehouse import SQL_ROOT, connect, init_schema, shipped_migrations
from tests.test_e2e import materialize, query
from tests.test_e2e_families import FLIGHTS, step_failures

PREVIOUS_RELEASE = Path(__file__).parent / "data" / "schema" / "raw_2a35143.sql"
OLD_ROW = (
    "INSERT INTO raw.t100_segments (kind, year, month, unique_carrier, origin, origin_country, dest, dest_country, "
    "class, passengers, seats, file_name, file_sha256, source_line, source, source_mode, retrieved_at, load_id) "
    "VALUES ('international', 2019, 8, 'UA', 'PVG', 'CN', 'SFO', 'US', 'F', 250, 300, 'old_download.zip', "
    "repeat('a', 64), 2, 'bts_t100_international_segment', 'sample', now(), 'old-run')"
)


def previous_release_warehouse(path: Path) -> Path:
    conn = duckdb.connect(str(path))
    conn.execute(PREVIOUS_RELEASE.read_text(encoding="utf-8"))
    conn.execute(OLD_ROW)
    conn.close()
    return path


def ledger(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute("SELECT version, name, method FROM meta.schema_migrations ORDER BY version").fetchall()


def test_migrations_are_numbered_once_and_each_is_idempotent_sql():
    shipped = read_migrations(SQL_ROOT / "migrations")
    assert [m.version for m in shipped] == list(range(1, len(shipped) + 1))
    assert shipped_migrations() == tuple(shipped)


def test_the_previous_release_is_migrated_in_place_and_keeps_its_rows(tmp_path):
    path = previous_release_warehouse(tmp_path / "old.duckdb")
    conn = connect(path)
    init_schema(conn)
    columns = dict(table_columns(conn, "raw.t100_segments"))
    assert {"aircraft_config", "unique_carrier_entity", "region"} <= columns.keys()
    assert conn.execute("SELECT file_name, passengers, aircraft_config FROM raw.t100_segments").fetchall() == [
        ("old_download.zip", 250, None)
    ]
    assert ledger(conn) == [(m.version, m.name, "applied") for m in shipped_migrations()]
    init_schema(conn)  # a second connection finds nothing left to do
    assert len(ledger(conn)) == len(shipped_migrations())


def test_a_new_warehouse_records_the_migrations_as_baseline(tmp_path):
    conn = connect(tmp_path / "new.duckdb")
    init_schema(conn)
    assert ledger(conn) == [(m.version, m.name, "baseline") for m in shipped_migrations()]


def test_a_migration_that_cannot_apply_changes_nothing_and_says_what_to_do(tmp_path):
    path = previous_release_warehouse(tmp_path / "old.duckdb")
    conn = connect(path)
    broken = Migration(99, "rename_missing_table", "ALTER TABLE raw.no_such_table RENAME TO renamed;")
    with pytest.raises(MigrationError, match="0099_rename_missing_table") as failed:
        migrate(conn, [*shipped_migrations(), broken], where=str(path))
    assert str(path) in str(failed.value) and "bash scripts/materialize.sh" in str(failed.value)
    assert ledger(conn) == []  # the good ones before it were rolled back with it
    assert "aircraft_config" not in dict(table_columns(conn, "raw.t100_segments"))


@pytest.mark.e2e
def test_a_run_of_this_release_on_the_previous_releases_warehouse(isolated_env):
    previous_release_warehouse(isolated_env)  # the published file the user already has
    result = materialize(groups=FLIGHTS)
    assert result.success, step_failures(result)
    assert query(isolated_env, "SELECT passengers FROM raw.t100_segments WHERE file_name = 'old_download.zip'") == [
        (250,)
    ]
    assert query(isolated_env, "SELECT count(*) FROM raw.t100_segments WHERE aircraft_config IS NOT NULL")[0][0] > 0
    assert query(isolated_env, "SELECT DISTINCT method FROM meta.schema_migrations") == [("applied",)]
