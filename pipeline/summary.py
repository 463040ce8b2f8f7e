"""Print what the warehouse holds: tables with row counts, the focus pair's headline series and where its report is.

The focus pair is the first two countries of COLLAB_FOCUS (pipeline.report.report_pair), CN–US by default.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.catalog import table_exists
from pipeline.publish import relations
from pipeline.report import report_pair, report_path
from pipeline.settings import Settings, load_settings
from pipeline.warehouse import connect


def summary(path: Path, settings: Settings) -> str:
    """The summary of the warehouse at `path` for the run settings `settings` (focus pair, report folder)."""
    conn = connect(path, read_only=True)
    try:
        tables = relations(conn)  # the large tables are views over Parquet in a published file
        published = _rows(
            conn,
            "meta.publication",
            "SELECT run_id, published_at, source_mode FROM meta.publication ORDER BY published_at DESC LIMIT 1",
        )
        lines = [f"Published by run {r[0]} at {r[1]:%Y-%m-%d %H:%M:%S %Z} ({r[2]})" for r in published]
        lines += ["table                              rows"]
        for name in tables:
            rows = conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            lines.append(f"{name:<34} {rows:>8}")
        pair = report_pair(settings.focus)
        lines += _pair_sections(conn, *pair)
        report = report_path(settings.report_dir, pair)
        focus = ",".join(("ALL", *settings.focus) if settings.focus_all else settings.focus)
        lines += ["", f"Focus pair {pair[0]}–{pair[1]} (COLLAB_FOCUS={focus})"]
        if len(settings.focus) > 2:
            lines.append(f"  The summary and the report are about the first two focus countries, {pair[0]}–{pair[1]}.")
        if report.exists():
            lines.append(f"Report: {report} (open it in a browser; it works offline)")
        else:
            lines.append(f"Report: {report} (not there: the report/focus_pair step writes it after a run publishes)")
        return "\n".join(lines)
    finally:
        conn.close()


@dataclass(frozen=True)
class _Section:
    """One block of the pair's summary: the mart it reads, its query (a, b as parameters), its heading (with {a}
    and {b}) and how one row is printed."""

    table: str
    sql: str
    heading: str
    line: Callable[[tuple], str]


_SECTIONS = (
    _Section(
        "mart.bilateral_papers",
        "SELECT year, coauthored, round(collaboration_score, 1), round(salton, 4), round(observed_expected, 3), "
        "source_mode FROM mart.bilateral_papers WHERE country_a = ? AND country_b = ? "
        "AND paper_set = 'all' ORDER BY year",
        "{a}–{b}, paper_set 'all': year, coauthored, collaboration_score, salton, observed/expected, mode",
        lambda r: f"  {r[0]}  {r[1]:>6}  {r[2]!s:>8}  {r[3]!s:>7}  {r[4]!s:>6}  {r[5]}",
    ),
    _Section(
        "mart.student_mobility_best",
        "SELECT year, students, source, round(index_2018, 1), index_method, source_mode "
        "FROM mart.student_mobility_best WHERE origin = ? AND destination = ? ORDER BY year",
        "{a}→{b} mobile students (mart.student_mobility_best, one mode): year, students, source, "
        "index 2018=100 (never across sources), index method, mode",
        lambda r: f"  {r[0]}  {r[1]:>8}  {r[2]:<15} {r[3]!s:>6}  {r[4]:<12} {r[5]}",
    ),
    _Section(
        "mart.flight_proxy_index",
        "SELECT year, passengers, round(index_2018, 1), round(august_share, 3), round(town_passengers), "
        "round(did_estimate, 3), round(did_std_error, 3), source_mode FROM mart.flight_proxy_index "
        "WHERE origin = ? AND destination = ? ORDER BY year",
        "{a}→{b} flights (mart.flight_proxy_index): year, gateway passengers (measured), index, August share, "
        "town passengers (modelled), DiD town vs control (modelled) ± s.e., mode",
        lambda r: f"  {r[0]}  {r[1]:>9}  {r[2]!s:>6}  {r[3]!s:>6}  {r[4]!s:>9}  {r[5]!s:>7} ± {r[6]!s:<6} {r[7]}",
    ),
    _Section(
        "mart.bilateral_breaks",
        "SELECT signal, break_year, n_before, n_after, round(100 * growth_before, 1), "
        "round(100 * growth_after, 1), chow_p_value, found_break_year, coalesce(reason, ''), series_basis "
        "FROM mart.bilateral_breaks WHERE country_a = ? AND country_b = ? ORDER BY signal, break_year",
        "{a}–{b} breaks (mart.bilateral_breaks, log scale): signal, break year, points before/after, "
        "growth %/yr before → after, Chow p, break found by search, fitted on, reason",
        lambda r: (
            f"  {r[0]:<34} {r[1]}  {r[2]:>2}/{r[3]:<2}  {r[4]!s:>6} → {r[5]!s:<6}  p={_p(r[6]):<7}"
            f" {r[7]!s:<5} {r[9]:<18} {r[8]}"
        ),
    ),
)


def _pair_sections(conn: duckdb.DuckDBPyConnection, a: str, b: str) -> list[str]:
    """The pair's papers, students a→b, flights a→b (arrivals in the US only) and breaks; a section without rows
    is left out."""
    lines: list[str] = []
    for section in _SECTIONS:
        rows = _rows(conn, section.table, section.sql, [a, b])
        if rows:
            lines += ["", section.heading.format(a=a, b=b), *(section.line(r) for r in rows)]
    return lines


def _p(value: float | None) -> str:
    return "—" if value is None else "<0.001" if value < 0.001 else f"{value:.3f}"


def _rows(conn: duckdb.DuckDBPyConnection, table: str, sql: str, params: list | None = None) -> list[tuple]:
    return conn.execute(sql, params or []).fetchall() if table_exists(conn, table) else []


if __name__ == "__main__":
    run_settings = load_settings()  # the one parse of this command's environment
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else run_settings.warehouse
    print(summary(target, run_settings))
