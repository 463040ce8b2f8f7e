"""Print what the warehouse holds: tables with row counts and the CN–US headline series."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.settings import load_settings
from pipeline.warehouse import connect


def summary(path: Path) -> str:
    conn = connect(path, read_only=True)
    try:
        tables = conn.execute(
            "SELECT schema_name || '.' || table_name, estimated_size FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'ref', 'core', 'mart') ORDER BY 1"
        ).fetchall()
        lines = ["table                              rows"]
        for name, _ in tables:
            rows = conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            lines.append(f"{name:<34} {rows:>8}")
        head = conn.execute(
            "SELECT year, coauthored, round(collaboration_score, 1), round(salton, 4), round(observed_expected, 3), "
            "source_mode FROM mart.bilateral_papers WHERE country_a = 'CN' AND country_b = 'US' "
            "AND paper_set = 'all' ORDER BY year"
        ).fetchall()
        if head:
            lines += [
                "",
                "CN–US, paper_set 'all': year, coauthored, collaboration_score, salton, observed/expected, mode",
            ]
            lines += [f"  {r[0]}  {r[1]:>6}  {r[2]!s:>8}  {r[3]!s:>7}  {r[4]!s:>6}  {r[5]}" for r in head]
        return "\n".join(lines)
    finally:
        conn.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().warehouse
    print(summary(target))
