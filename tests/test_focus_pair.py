"""Small truths (issue 18 item 7): the run summary and the report follow COLLAB_FOCUS (its first two countries), the
summary names the report's file, the READMEs list every mart and say what runs last.

The quick tests read a tiny hand-made warehouse, the READMEs and the asset graph. The e2e tests share one sample
materialisation with COLLAB_FOCUS=DE,FR,CN (CN stays in the list because the bundled mobility sample's students
come from CN and US only; an empty OECD load would fail its gate).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.definitions import defs
from pipeline.dictionary import dictionary
from pipeline.settings import REPO_ROOT, SettingsError, load_settings
from pipeline.summary import summary
from tests.conftest import isolate
from tests.test_charts import sample_red_pixels
from tests.test_e2e import materialize
from tests.test_e2e_families import step_failures

READMES = (REPO_ROOT / "README.md", REPO_ROOT / "warehouse" / "README.md")


def mart_tables_in_dictionary() -> set[str]:
    return {t.removeprefix("mart.") for t in dictionary()["tables"] if t.startswith("mart.")}


def tiny_warehouse(path: Path) -> Path:
    """mart.bilateral_papers with a CN–US and a DE–FR series, nothing else."""
    conn = duckdb.connect(str(path))
    try:
        conn.execute("CREATE SCHEMA mart")
        conn.execute(
            "CREATE TABLE mart.bilateral_papers (country_a VARCHAR, country_b VARCHAR, year INTEGER, "
            "paper_set VARCHAR, coauthored INTEGER, collaboration_score DOUBLE, salton DOUBLE, "
            "observed_expected DOUBLE, source_mode VARCHAR)"
        )
        conn.execute(
            "INSERT INTO mart.bilateral_papers VALUES "
            "('CN', 'US', 2020, 'all', 111111, 1.0, 0.1, 1.1, 'sample'), "
            "('DE', 'FR', 2020, 'all', 222222, 2.0, 0.2, 1.2, 'sample')"
        )
    finally:
        conn.close()
    return path


# --- quick --------------------------------------------------------------------------------------------------------


def test_summary_follows_the_focus_pair_and_prints_the_reports_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    warehouse = tiny_warehouse(tmp_path / "tiny.duckdb")
    reports = tmp_path / "reports"
    monkeypatch.setenv("COLLAB_REPORT_DIR", str(reports))

    default = summary(warehouse, load_settings())  # COLLAB_FOCUS unset: CN,US
    assert "CN–US, paper_set 'all'" in default and "111111" in default and "222222" not in default
    assert f"Report: {reports / 'cn_us.html'} (not there:" in default

    monkeypatch.setenv("COLLAB_FOCUS", "DE,FR")
    reports.mkdir()
    (reports / "de_fr.html").write_text("<p>report</p>", encoding="utf-8")
    text = summary(warehouse, load_settings())
    assert "DE–FR, paper_set 'all'" in text and "222222" in text
    assert "CN" not in text.split("table ")[1] and "111111" not in text
    assert f"Report: {reports / 'de_fr.html'} (open it in a browser" in text
    assert "first two" not in text

    monkeypatch.setenv("COLLAB_FOCUS", "DE,FR,CN")
    text = summary(warehouse, load_settings())
    assert "DE–FR, paper_set 'all'" in text and "about the first two focus countries, DE–FR" in text

    monkeypatch.setenv("COLLAB_FOCUS", "DE")  # one country is no pair: the settings (and the preflight) say so
    with pytest.raises(SettingsError, match="COLLAB_FOCUS='DE': give at least 2 ISO-2 codes"):
        load_settings()


def test_the_report_follows_the_publication():
    # What really runs last: the report depends on publish/warehouse (which depends on every warehouse table).
    graph = defs.resolve_asset_graph()
    report = dg.AssetKey(["report", "focus_pair"])
    assert dg.AssetKey(["publish", "warehouse"]) in graph.get(report).parent_keys
    assert not graph.get(report).child_keys


def test_both_readmes_name_every_mart_and_what_runs_last():
    marts = mart_tables_in_dictionary()
    assert len(marts) >= 13
    for readme in READMES:
        text = readme.read_text(encoding="utf-8")
        named = set(re.findall(r"`(?:mart\.)?([a-z_]+)`", text))
        assert marts <= named, f"{readme.relative_to(REPO_ROOT)} does not name {sorted(marts - named)}"
        assert "`publish/warehouse`" in text and "`report/focus_pair`" in text, readme


# --- one sample materialisation with COLLAB_FOCUS=DE,FR,CN -------------------------------------------------------


@pytest.fixture(scope="module")
def de_fr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dg.ExecuteInProcessResult]]:
    with pytest.MonkeyPatch.context() as mp:
        path = isolate(mp, tmp_path_factory.mktemp("focus_de_fr"))
        mp.setenv("COLLAB_FOCUS", "DE,FR,CN")
        result = materialize(groups=None)
        assert result.success, step_failures(result)
        yield path, result


@pytest.mark.e2e
def test_report_and_summary_are_about_the_first_two_focus_countries(de_fr, monkeypatch: pytest.MonkeyPatch):
    path, _ = de_fr
    reports = path.parent / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["de_fr.html"]
    html = (reports / "de_fr.html").read_text(encoding="utf-8")
    assert "<h1>DE–FR research collaboration</h1>" in html and "CN–US" not in html
    assert html.count('id="signals-sample-watermark"') == 1  # the charts say SAMPLE on themselves
    monkeypatch.setenv("COLLAB_FOCUS", "DE,FR,CN")
    monkeypatch.setenv("COLLAB_REPORT_DIR", str(reports))
    text = summary(path, load_settings())
    assert "DE–FR, paper_set 'all'" in text and "DE–FR breaks" in text and "CN–US" not in text
    assert text.rstrip().endswith(f"Report: {reports / 'de_fr.html'} (open it in a browser; it works offline)")


@pytest.mark.e2e
def test_dashboard_images_name_the_pair_and_say_sample(de_fr):
    _, result = de_fr
    [event] = [
        m for m in result.get_asset_materialization_events() if m.asset_key.path == ["mart", "bilateral_dashboard"]
    ]
    markdown = event.materialization.metadata["plot_signals"].value
    alt, data = re.fullmatch(r"!\[(.*)\]\(data:image/png;base64,(.+)\)", markdown).groups()
    assert alt == "DE–FR signals, 2018 = 100 (SYNTHETIC SAMPLE, not real data)"
    assert sample_red_pixels(base64.b64decode(data)) > 500


@pytest.mark.e2e
def test_the_warehouse_holds_the_dictionarys_marts_and_the_report_is_the_last_step(de_fr):
    path, result = de_fr
    conn = duckdb.connect(str(path), read_only=True)
    try:
        built = {
            r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart'").fetchall()
        }
    finally:
        conn.close()
    assert built == mart_tables_in_dictionary()
    started = [e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START]
    assert started[-2:] == ["publish__warehouse", "report__focus_pair"]


@pytest.mark.e2e
def test_the_report_and_its_materialisation_show_what_drives_it(de_fr):
    path, result = de_fr
    html = (path.parent / "reports" / "de_fr.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="drivers">') :]
    assert section.count('data-chart="ties"') == 1 and 'id="ties-sample-watermark"' in section
    for table in ("field-falls", "field-rises", "institution-pairs", "moves"):
        assert f'data-table="{table}"' in section or f'data-table-empty="{table}"' in section, table
    assert '<table data-table="moves">' in section  # sample mode counts moves (live mode gives the reason)
    [event] = [m for m in result.get_asset_materialization_events() if m.asset_key.path == ["report", "focus_pair"]]
    metadata = event.materialization.metadata
    for name in ("drivers_field_falls", "drivers_field_rises", "drivers_institution_pairs", "drivers_moves"):
        assert name in metadata, name
    alt, data = re.fullmatch(r"!\[(.*)\]\(data:image/png;base64,(.+)\)", metadata["plot_ties"].value).groups()
    assert alt == "DE–FR new and repeat ties (SYNTHETIC SAMPLE, not real data)"
    assert sample_red_pixels(base64.b64decode(data)) > 500
