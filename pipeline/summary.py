"""Print what the warehouse holds: tables with row counts and the CN–US headline series."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from pipeline.settings import load_settings
from pipeline.warehouse import connect, table_exists


def summary(path: Path) -> str:
    conn = connect(path, read_only=True)
    try:
        tables = conn.execute(
            "SELECT schema_name || '.' || table_name, estimated_size FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'ref', 'core', 'mart') ORDER BY 1"
        ).fetchall()
        published = _rows(
            conn,
            "meta.publication",
            "SELECT run_id, published_at, source_mode FROM meta.publication ORDER BY published_at DESC LIMIT 1",
        )
        lines = [f"Published by run {r[0]} at {r[1]:%Y-%m-%d %H:%M:%S %Z} ({r[2]})" for r in published]
        lines += ["table                              rows"]
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
        students = _rows(
            conn,
            "mart.student_mobility_best",
            "SELECT year, students, source, round(index_2018, 1), index_method, source_mode "
            "FROM mart.student_mobility_best WHERE origin = 'CN' AND destination = 'US' ORDER BY year",
        )
        if students:
            lines += [
                "",
                "CN→US mobile students (mart.student_mobility_best, one mode): year, students, source, "
                "index 2018=100 (never across sources), index method, mode",
            ]
            lines += [f"  {r[0]}  {r[1]:>8}  {r[2]:<15} {r[3]!s:>6}  {r[4]:<12} {r[5]}" for r in students]
        flights = _rows(
            conn,
            "mart.flight_proxy_index",
            "SELECT year, passengers, round(index_2018, 1), round(august_share, 3), round(town_passengers), "
            "round(did_estimate, 3), round(did_std_error, 3), source_mode FROM mart.flight_proxy_index "
            "WHERE origin = 'CN' ORDER BY year",
        )
        if flights:
            lines += [
                "",
                "CN→US flights (mart.flight_proxy_index): year, gateway passengers (measured), index, August share, "
                "town passengers (modelled), DiD town vs control (modelled) ± s.e., mode",
            ]
            lines += [
                f"  {r[0]}  {r[1]:>9}  {r[2]!s:>6}  {r[3]!s:>6}  {r[4]!s:>9}  {r[5]!s:>7} ± {r[6]!s:<6} {r[7]}"
                for r in flights
            ]
        breaks = _rows(
            conn,
            "mart.bilateral_breaks",
            "SELECT signal, break_year, n_before, n_after, round(100 * growth_before, 1), "
            "round(100 * growth_after, 1), chow_p_value, found_break_year, coalesce(reason, ''), series_basis "
            "FROM mart.bilateral_breaks WHERE country_a = 'CN' AND country_b = 'US' ORDER BY signal, break_year",
        )
        if breaks:
            lines += [
                "",
                "CN–US breaks (mart.bilateral_breaks, log scale): signal, break year, points before/after, "
                "growth %/yr before → after, Chow p, break found by search, fitted on, reason",
            ]
            lines += [
                f"  {r[0]:<34} {r[1]}  {r[2]:>2}/{r[3]:<2}  {r[4]!s:>6} → {r[5]!s:<6}  p={_p(r[6]):<7}"
                f" {r[7]!s:<5} {r[9]:<18} {r[8]}"
                for r in breaks
            ]
        report = load_settings().report_dir
        lines += ["", f"Focus pair report: {report}/ (open the .html in a browser; it works offline)"]
        return "\n".join(lines)
    finally:
        conn.close()


def _p(value: float | None) -> str:
    return "—" if value is None else "<0.001" if value < 0.001 else f"{value:.3f}"


def _rows(conn: duckdb.DuckDBPyConnection, table: str, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall() if table_exists(conn, table) else []


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().warehouse
    print(summary(target))
