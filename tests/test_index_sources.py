"""No index divides across sources or modes (issue 17, docs/methods.md "Indices and series that switch sources").

Every index column of every mart is found in the built warehouse (duckdb_columns(), not a list here) and checked
series by series: each indexed row and its series' base row share source and mode, or the row says that it is
chain-linked; and no series mixes synthetic ('sample') and real rows. One sample-mode materialisation of every
family serves the module; a live run against the local fakes shows a real source switch being chain-linked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from pipeline.breaks import PROVENANCE
from pipeline.settings import REPO_ROOT, load_settings
from pipeline.summary import summary
from tests.test_e2e import materialize, query
from tests.test_e2e_families import MOBILITY, step_failures

pytestmark = pytest.mark.e2e

# Columns that name a series within a mart (the year is the time axis). A mart with another dimension makes
# the uniqueness assertion below fail, naming the table, rather than letting rows of two series meet.
DIMENSIONS = ("country_a", "country_b", "origin", "destination", "country", "paper_set", "signal")
NUMERIC = ("DOUBLE", "FLOAT", "DECIMAL", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT", "REAL")


def index_columns(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, column) of every numeric mart column that is an index: its name ends in 'index' or 'index_<year>'
    once the paper set name 'nature_index' is taken out (coauthored_nature_index is a count, index_link_year a
    year)."""
    found = []
    for table, column, dtype in conn.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'mart' ORDER BY ALL"
    ).fetchall():
        name = column.replace("nature_index", "nature-set")
        if re.search(r"(^|_)index(_\d{4})?$", name) and dtype.split("(")[0] in NUMERIC:
            found.append((table, column))
    return found


def mode_class(mode: str) -> str:
    return "synthetic" if mode == "sample" else "real"


def _parse(provenance: str | None) -> tuple[str, str] | None:
    """'uis (sample)' / 'openalex (records, sample)' -> (source, mode)."""
    if provenance is None:
        return None
    match = re.fullmatch(r"(.+?) \((.*)\)", provenance)
    assert match, f"provenance {provenance!r} does not read 'source (…, mode)'"
    return match.group(1), match.group(2).split(", ")[-1]


def check_index_columns(path: Path) -> dict[str, int]:
    """Assert the two rules on every index column of the warehouse at `path`; returns rows checked per
    method (so a caller can see what was exercised)."""
    conn = duckdb.connect(str(path), read_only=True)
    seen: dict[str, int] = defaultdict(int)
    try:
        found = index_columns(conn)
        assert found, "no index column found in any mart"
        for table, column in found:
            columns = [r[0] for r in conn.execute(f"DESCRIBE mart.{table}").fetchall()]
            signal = re.sub(r"(_index(_\d{4})?|index_\d{4})$", "", column).rstrip("_")
            # The provenance of the index's values: a column of its own, the dashboard's declared one
            # (pipeline.breaks.PROVENANCE), else the table's source and mode.
            if f"{signal}_provenance" in columns:
                provenance = f"{signal}_provenance"
            elif signal in PROVENANCE and PROVENANCE[signal] in columns:
                provenance = PROVENANCE[signal]
            else:
                provenance = None
                assert {"source", "source_mode"} <= set(columns), f"mart.{table}.{column}: no provenance"
            year_match = re.search(r"index_(\d{4})$", column)
            if year_match:
                base = year_match.group(1)
            else:
                assert "base_year" in columns, f"mart.{table}.{column}: no base year in the name or a column"
                base = "base_year"
            if f"{column}_method" in columns:
                method = f"{column}_method"
            elif "index_method" in columns and sum(c == column for _, c in found if _ == table) == 1:
                method = "index_method"
            else:
                method = None
            dims = [d for d in DIMENSIONS if d in columns]
            # A table of several sources side by side (no link method) holds one series per source.
            key = dims + (["source", "source_mode"] if provenance is None and method is None else [])
            prov_sql = provenance if provenance else "source || ' (' || source_mode || ')'"
            rows = conn.execute(
                f"SELECT {', '.join(key) or 'NULL'}, year, {column}, {prov_sql}, "
                f"{method or 'NULL'}, {base} FROM mart.{table}"
            ).fetchall()
            n = len(key) or 1
            by_series: dict[tuple, dict[int, tuple]] = defaultdict(dict)
            for r in rows:
                series, year = tuple(r[:n]), r[n]
                assert year not in by_series[series], f"mart.{table}: two rows for {series} {year}"
                by_series[series][year] = r[n + 1 :]
            for series, years in by_series.items():
                label = f"mart.{table}.{column} {series}"
                modes = {mode_class(p[1]) for v, prov, *_ in years.values() if (p := _parse(prov))}
                assert len(modes) <= 1, f"{label} mixes synthetic and real rows"
                for year, (value, prov, how, base_year) in sorted(years.items()):
                    if value is None:
                        assert how in (None, "broken", "no_base"), (label, year, how)
                        continue
                    base_row = years.get(int(base_year))
                    assert base_row is not None and base_row[0] == pytest.approx(100.0), (label, year, "base")
                    here, there = _parse(prov), _parse(base_row[1])
                    seen[how or "plain"] += 1
                    if how == "chain_linked":
                        assert mode_class(here[1]) == mode_class(there[1]), (label, year)
                        continue
                    assert how in (None, "same_source"), (label, year, how)
                    assert here == there, f"{label} {year}: {prov} divided by the base of {base_row[1]}"
    finally:
        conn.close()
    return dict(seen)


@pytest.fixture
def sample_warehouse(sample_build) -> Path:
    """Every family materialised once in sample mode (the session's shared build)."""
    return sample_build.warehouse


def test_every_index_column_of_every_mart_stays_within_one_source_and_mode(sample_warehouse):
    conn = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        found = set(index_columns(conn))
    finally:
        conn.close()
    # What the discovery finds today (a new index column is checked without being added here).
    assert {
        ("bilateral_dashboard", "students_a_to_b_index"),
        ("bilateral_dashboard", "coauthored_index"),
        ("bilateral_dashboard", "collaboration_score_nature_index_index"),
        ("bilateral_dashboard", "passengers_a_to_b_index"),
        ("student_mobility_best", "index_2018"),
        ("flight_proxy_index", "index_2018"),
        ("mobile_students", "outbound_index_2018"),
    } <= found
    assert ("bilateral_dashboard", "coauthored_nature_index") not in found
    checked = check_index_columns(sample_warehouse)
    assert checked.get("same_source", 0) > 0 and checked.get("plain", 0) > 0


def test_the_sample_best_series_is_synthetic_and_the_real_seed_stays_its_own_series(sample_warehouse):
    best = query(
        sample_warehouse,
        "SELECT year, source, source_mode, index_method FROM mart.student_mobility_best "
        "WHERE origin = 'CN' AND destination = 'US' ORDER BY year",
    )
    assert [r[0] for r in best] == list(range(2015, 2024))  # UIS's last sample year; Open Doors 2024 is real
    assert {r[1:] for r in best} == {("uis", "sample", "same_source")}
    doors = query(
        sample_warehouse,
        "SELECT year, students, source_mode, round(index_2018, 1) FROM mart.student_mobility "
        "WHERE source = 'iie_open_doors' AND year = 2024",
    )
    assert doors == [(2024, 265919, "reference", 72.0)]  # the published figure, indexed on its own 2018
    # The dashboard and the breaks read the same series: no 2024 student value, no real row beside synthetic.
    dash = query(
        sample_warehouse,
        "SELECT year, students_a_to_b_index, students_a_to_b_index_method FROM mart.bilateral_dashboard "
        "WHERE country_a = 'CN' AND country_b = 'US' AND year IN (2023, 2024) ORDER BY year",
    )
    best_2023 = query(
        sample_warehouse,
        "SELECT index_2018 FROM mart.student_mobility_best WHERE origin = 'CN' AND destination = 'US' AND year = 2023",
    )[0][0]
    assert dash == [(2023, best_2023, "same_source"), (2024, None, None)]
    breaks = query(
        sample_warehouse,
        "SELECT DISTINCT series_basis, provenance FROM mart.bilateral_breaks "
        "WHERE country_a = 'CN' AND country_b = 'US' AND signal = 'students_a_to_b'",
    )
    assert breaks == [("level", "uis (sample)")]


def test_a_live_switch_to_open_doors_is_chain_linked_through_the_overlap_year(isolated_env, live_sources):
    # Live UIS (the fake serves the sample's figures) ends in 2023; the real Open Doors seed has 2024/25.
    result = materialize(groups=MOBILITY)
    assert result.success, step_failures(result)
    best = {
        r[0]: r[1:]
        for r in query(
            isolated_env,
            "SELECT year, source, source_mode, students, index_2018, index_method, index_link_year "
            "FROM mart.student_mobility_best WHERE origin = 'CN' AND destination = 'US' ORDER BY year",
        )
    }
    assert best[2023][:2] == ("uis", "live") and best[2024][:2] == ("iie_open_doors", "reference")
    doors = dict(
        query(
            isolated_env,
            "SELECT year, students FROM mart.student_mobility WHERE source = 'iie_open_doors' AND year >= 2023",
        )
    )
    assert best[2024][4:] == ("chain_linked", 2023)
    assert best[2024][3] == pytest.approx(best[2023][3] * doors[2024] / doors[2023])
    checked = check_index_columns(isolated_env)
    assert checked.get("chain_linked", 0) >= 1


def _html_table(html: str, name: str) -> list[dict[str, str]]:
    table = re.search(rf'<table data-table="{name}">(.*?)</table>', html, re.DOTALL).group(1)
    headers = re.findall(r'<th scope="col" data-col="([^"]+)"', table)
    rows = re.findall(r"<tr>(<td.*?)</tr>", table, re.DOTALL)
    return [dict(zip(headers, re.findall(r"<td[^>]*>(.*?)</td>", r), strict=True)) for r in rows]


def test_readme_summary_and_report_show_the_one_student_index(sample_warehouse):
    # The README's query, the run summary and the report read the same column: one figure per year.
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    sql = re.search(r"(SELECT year, students, source, sources_available.*?;)", readme, re.DOTALL).group(1)
    from_readme = {r[0]: (r[4], r[5]) for r in query(sample_warehouse, sql)}
    assert from_readme[2023] == (79.6, "same_source") and 2024 not in from_readme
    text = summary(sample_warehouse, load_settings())
    assert re.search(r"\n  2023    269914  uis\s+79\.6  same_source\s+sample\n", text)
    assert "iie_open_doors" not in text.split("CN→US mobile students")[1].split("\n\n")[0]
    html = (sample_warehouse.parent / "reports" / "cn_us.html").read_text(encoding="utf-8")
    by_year = {r["year"]: r for r in _html_table(html, "dashboard")}
    assert (by_year["2023"]["students_a_to_b_index"], by_year["2023"]["students_a_to_b_index_method"]) == (
        "79.6",
        "same_source",
    )
    assert by_year["2024"]["students_a_to_b_index"] == "—"
    fitted = {(r["signal"], r["series_basis"], r["provenance"]) for r in _html_table(html, "breaks")}
    assert ("students_a_to_b", "level", "uis (sample)") in fitted
