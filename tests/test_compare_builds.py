"""benchmarks.compare_builds: two warehouses compared table by table, floats within the tolerance."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks.compare_builds import main

pytestmark = pytest.mark.quick


def _build(path: Path, rows: list[tuple], *, load_id: str = "run-1", extra: str | None = None) -> Path:
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA mart")
    conn.execute("CREATE SCHEMA meta")
    conn.execute("CREATE TABLE mart.t (country VARCHAR, year INTEGER, score DOUBLE, load_id VARCHAR)")
    conn.executemany("INSERT INTO mart.t VALUES (?, ?, ?, ?)", [(*r, load_id) for r in rows])
    conn.execute("CREATE TABLE meta.runs AS SELECT ? AS load_id", [load_id])  # bookkeeping: never compared
    if extra:
        conn.execute(f"CREATE TABLE mart.{extra} (x INTEGER)")
    conn.close()
    return path


ROWS = [("CN", 2020, 1.5), ("US", 2020, 2.25), ("US", 2021, None), ("CN", 2022, 126117.87461974434)]


def test_the_same_rows_in_another_order_and_another_run_are_equal(tmp_path, capsys):
    before = _build(tmp_path / "a.duckdb", ROWS)
    # a Share summed over 168,230 papers in another order (measured at 10M works): 3.6e-9 apart, 3e-14 relative
    reordered = [ROWS[2], ("CN", 2022, 126117.87461974076), (ROWS[0][0], ROWS[0][1], 1.5 + 1e-12), ROWS[1]]
    after = _build(tmp_path / "b.duckdb", reordered, load_id="run-2")
    assert main([str(before), str(after)]) == 0
    assert "mart.t: 4 rows before, 4 after: equal" in capsys.readouterr().out


@pytest.mark.parametrize(
    "changed",
    [
        [("CN", 2020, 1.5 + 1e-8), *ROWS[1:]],  # a float beyond the tolerance
        [("CN", 2019, 1.5), *ROWS[1:]],  # an exact column
        [*ROWS[:2], ("US", 2021, 0.0), ROWS[3]],  # NULL against a value
        [*ROWS[:3], ("CN", 2022, 126117.88)],  # a large value beyond the relative tolerance
        ROWS[1:],  # a row missing
    ],
)
def test_a_changed_row_is_counted_and_fails(tmp_path, capsys, changed):
    before = _build(tmp_path / "a.duckdb", ROWS)
    after = _build(tmp_path / "b.duckdb", changed)
    assert main([str(before), str(after)]) == 1
    assert "rows differ" in capsys.readouterr().out


def test_a_table_on_one_side_only_is_named(tmp_path, capsys):
    before = _build(tmp_path / "a.duckdb", ROWS)
    after = _build(tmp_path / "b.duckdb", ROWS, extra="new_table")
    assert main([str(before), str(after)]) == 0
    assert "mart.new_table: only after" in capsys.readouterr().out
