"""The sample build's content, table by table, against a recorded fingerprint: a refactor that changes what
the warehouse holds on the bundled sample (a row, a value, a column, its type or order) fails here.

Per table: its columns with their types, its row count and an order-free checksum of each column's values.
Per column, so a difference is reported with the column it is in. Columns that differ
between any two runs by design are left out of the checksums (load_id, retrieval and build times:
TIMESTAMP columns), the checkout's folder is taken out of text values, and doubles are compared to 9
significant digits (and 12 decimals): DuckDB's parallel aggregation may sum in a different order and
move the last bits. The meta schema (run manifests) is left out.

The fingerprint is tests/data/sample_content.json. After an intended change of the sample's content:

    python -m tests.test_sample_content --update <published warehouse built from the sample>

(or run this test with COLLAB_UPDATE_SAMPLE_CONTENT=1) and review `git diff tests/data/sample_content.json`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.publish import relations

FINGERPRINT = Path(__file__).parent / "data" / "sample_content.json"
UPDATE_VAR = "COLLAB_UPDATE_SAMPLE_CONTENT"
SCHEMAS = ("raw", "ref", "core", "mart")
VOLATILE_COLUMNS = ("load_id",)
ROOT = str(Path(__file__).resolve().parent.parent).replace("'", "''")


def _cell(name: str, dtype: str) -> str | None:
    """The SQL expression a column contributes to its checksum (None: left out)."""
    quoted = '"' + name.replace('"', '""') + '"'
    if name in VOLATILE_COLUMNS or dtype.startswith("TIMESTAMP"):
        return None
    if dtype == "VARCHAR":
        # provenance may name a bundled file by its absolute path (T-100 `file:` requests): the checkout's
        # own folder is not content
        return f"replace({quoted}, '{ROOT}', '<repo>')"
    if dtype in ("DOUBLE", "FLOAT"):
        # 9 significant digits, and nothing below 1e-12: a change computed as the difference of two nearly
        # equal sums may be 0 in one run and 1e-16 in the next (+ 0.0: a rounded -1e-16 is -0.0, printed '-0')
        return f"printf('%.9g', round({quoted}, 12) + 0.0)"
    return quoted


def fingerprint(path: Path) -> dict[str, Any]:
    """{table: {columns, rows, checksum}} of every raw, ref, core and mart table of the warehouse at `path`."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        # tables and views: a published file holds its large tables as views over Parquet (pipeline.lake)
        tables = [t for t in relations(conn) if t.split(".")[0] in SCHEMAS]
        out: dict[str, Any] = {}
        for table in tables:
            schema, name = table.split(".")
            columns = conn.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "ORDER BY column_index",
                [schema, name],
            ).fetchall()
            cells = {n: c for n, c in ((n, _cell(n, t)) for n, t in columns) if c}
            sums = ", ".join(f"coalesce(bit_xor(hash({c})), 0)::VARCHAR" for c in cells.values())
            rows, *checksums = conn.execute(f"SELECT count(*), {sums} FROM {table}").fetchall()[0]
            out[table] = {
                "columns": [f"{n} {t}" for n, t in columns],
                "rows": rows,
                "checksums": dict(zip(cells, checksums, strict=True)),
            }
        return out
    finally:
        conn.close()


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    lines = [f"table missing: {t}" for t in sorted(expected.keys() - actual.keys())]
    lines += [f"table added: {t}" for t in sorted(actual.keys() - expected.keys())]
    for table in sorted(expected.keys() & actual.keys()):
        old, new = expected[table], actual[table]
        if old["columns"] != new["columns"]:
            lines.append(f"{table}: columns {old['columns']} -> {new['columns']}")
        elif old["rows"] != new["rows"]:
            lines.append(f"{table}: {old['rows']} rows -> {new['rows']}")
        else:
            changed = [c for c in old["checksums"] if old["checksums"][c] != new["checksums"][c]]
            lines += [f"{table}: same {old['rows']} rows, different values in {', '.join(changed)}"] if changed else []
    return lines


@pytest.mark.e2e
def test_the_sample_build_holds_what_it_held(sample_build):
    actual = fingerprint(sample_build.warehouse)
    if os.environ.get(UPDATE_VAR):
        FINGERPRINT.write_text(json.dumps(actual, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    changes = differences(expected, actual)
    assert not changes, "the sample build differs from tests/data/sample_content.json:\n  " + "\n  ".join(changes)


def test_the_fingerprint_sees_a_changed_value_and_ignores_run_columns(tmp_path):
    def build(value: float, load_id: str) -> dict[str, Any]:
        path = tmp_path / f"{load_id}.duckdb"
        conn = duckdb.connect(str(path))
        conn.execute("CREATE SCHEMA mart")
        conn.execute("CREATE TABLE mart.t (k VARCHAR, v DOUBLE, load_id VARCHAR, ts TIMESTAMPTZ)")
        conn.execute("INSERT INTO mart.t VALUES ('a', ?, ?, now())", [value, load_id])
        conn.close()
        return fingerprint(path)

    same = build(0.1 + 0.2, "run-1"), build(0.3, "run-2")  # last-bit difference, other run
    assert differences(*same) == []
    assert differences(build(0.3, "run-3"), build(0.31, "run-4")) == ["mart.t: same 1 rows, different values in v"]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--update":
        sys.exit("usage: python -m tests.test_sample_content --update <warehouse.duckdb>")
    FINGERPRINT.write_text(json.dumps(fingerprint(Path(sys.argv[2])), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FINGERPRINT}")
