"""Schema migrations: a warehouse written by an earlier release is brought to this release's schema in place.

`warehouse/schema/raw.sql` is the current schema (`CREATE TABLE IF NOT EXISTS`), so it only ever creates
what is missing. Every change to a table that already exists (a column added, a type widened, a table
renamed) is a numbered file `warehouse/migrations/NNNN_<name>.sql`, applied once, in order, before that
DDL, and recorded in `meta.schema_migrations`. A new warehouse gets the current schema from the DDL and
records every migration as `baseline` without running it. Migrations run on the run's build copy: the
published warehouse only changes when the run publishes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LEDGER = "meta.schema_migrations"


class MigrationError(RuntimeError):
    """A migration could not be applied; the warehouse file was left as it was."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def read_migrations(directory: Path) -> list[Migration]:
    """Every migration file in `directory`, in version order."""
    found = []
    for entry in directory.iterdir():
        match = FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version number: {sorted(versions)}")
    return sorted(found, key=lambda m: m.version)


def _is_new(conn: duckdb.DuckDBPyConnection) -> bool:
    """No table outside `meta` yet: nothing to migrate, the DDL creates the current schema."""
    count = "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND schema_name <> 'meta'"
    return conn.execute(count).fetchall()[0][0] == 0


def migrate(
    conn: duckdb.DuckDBPyConnection, shipped: Sequence[Migration], where: str = "the warehouse"
) -> list[Migration]:
    """Apply the `shipped` migrations this warehouse has not had, in one transaction; returns those applied.

    Raises MigrationError (after rolling back) naming the migration and what the user can do.
    """
    conn.execute("CREATE SCHEMA IF NOT EXISTS meta")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {LEDGER} (version INTEGER NOT NULL, name VARCHAR NOT NULL, "
        "checksum VARCHAR NOT NULL, method VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {v for (v,) in conn.execute(f"SELECT version FROM {LEDGER}").fetchall()}
    pending = [m for m in shipped if m.version not in done]
    if not pending:
        return []
    method = "baseline" if _is_new(conn) else "applied"
    conn.execute("BEGIN TRANSACTION")
    for migration in pending:
        try:
            if method == "applied":
                conn.execute(migration.sql)
            conn.execute(
                f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, now())",
                [migration.version, migration.name, migration.checksum, method],
            )
        except duckdb.Error as exc:
            conn.execute("ROLLBACK")
            raise MigrationError(
                f"schema migration {migration.version:04d}_{migration.name} cannot be applied to {where}: {exc}. "
                "Nothing was changed. Keep the file and report this, or move it aside and rebuild it from the "
                "sources with `bash scripts/materialize.sh` (raw rows fetched earlier are then fetched again)."
            ) from None
    conn.execute("COMMIT")
    return pending if method == "applied" else []
