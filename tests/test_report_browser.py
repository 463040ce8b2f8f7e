"""The HTML report (pipeline/report.py) rendered from hand-made frames and opened in headless Chromium.

The browser tests drive Debian's Chromium (/usr/bin/chromium, installed by .ci/run) through Playwright's sync API,
with every non-file request aborted and recorded. Without Chromium they fail in CI (env CI set) and skip elsewhere.
The tests at the top need no browser.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipeline import report
from tests.browser import launched_chromium

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
YEARS = list(range(2015, 2025))
GENERATED_AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
# Would fetch (and add an <img> to the DOM) if the report forgot to escape it.
INJECTION = '<img src="http://injection.invalid/x.png"> & <b>bold</b>'
EXPECTED_FIGURES = (
    "signals",
    "normalised-share",
    "normalised-share-per-million-people",
    "normalised-share-per-usd-bn-rd",
    "normalised-share-per-thousand-researchers",
    "normalised-share-nature-index",
    "ties",
)


def dashboard(mode: str = "sample") -> pl.DataFrame:
    """CN–US for 2015–2024 (with CI columns; students US→CN all NULL) plus a CN–GB pair the report must ignore."""
    rows = []
    for pair in (("CN", "US"), ("CN", "GB")):
        for i, year in enumerate(YEARS):
            coauthored = 60 + 3 * i if year <= 2019 else 75 - 2 * (year - 2019)
            score = coauthored * 0.9
            passengers = None if year == 2021 else (1_000_000 + 20_000 * i if year < 2020 else 150_000 + 60_000 * i)
            rows.append(
                {
                    "country_a": pair[0],
                    "country_b": pair[1],
                    "year": year,
                    "coauthored": coauthored,
                    "coauthored_index": coauthored / 69 * 100,
                    "collaboration_score": score,
                    "collaboration_score_ci_low": score - 2.5,
                    "collaboration_score_ci_high": score + 2.5,
                    "collaboration_score_index": score / (69 * 0.9) * 100,
                    "coauthored_nature_index": coauthored // 5,
                    "collaboration_score_nature_index": score / 5,
                    "collaboration_score_nature_index_index": score / (69 * 0.9) * 100,
                    "observed_expected": 1.1 - 0.01 * i,
                    "observed_expected_ci_low": 1.05 - 0.01 * i,
                    "observed_expected_ci_high": 1.15 - 0.01 * i,
                    "papers_provenance": f"openalex (records, {mode})" + (f" {INJECTION}" if year == 2024 else ""),
                    "students_a_to_b": 300_000 + 1_000 * i,
                    "students_a_to_b_index": (300_000 + 1_000 * i) / 303_000 * 100,
                    "students_a_to_b_provenance": f"uis ({mode})",
                    "students_b_to_a": None,
                    "students_b_to_a_index": None,
                    "students_b_to_a_provenance": None,
                    "passengers_a_to_b": passengers,
                    "passengers_a_to_b_index": None if passengers is None else passengers / 1_060_000 * 100,
                    "passengers_provenance": f"bts_t100_international_segment ({mode})",
                    "base_year": 2018,
                    "territory_policy": "separate",
                    "source": "openalex+mobility+flights",
                    "source_mode": mode,
                    "retrieved_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("students_b_to_a", "students_b_to_a_index").cast(pl.Float64),
        pl.col("students_b_to_a_provenance").cast(pl.String),
    )


def normalised(mode: str = "sample", share: bool = True) -> pl.DataFrame:
    """Seven countries, two paper sets; R&D spending missing in 2024 and researchers sparse, as in the marts."""
    base = {"US": 240.0, "CN": 190.0, "GB": 80.0, "DE": 75.0, "JP": 60.0, "FR": 50.0, "IN": 35.0}
    growth = {"US": 0.0, "CN": 0.09, "GB": 0.01, "DE": 0.01, "JP": -0.01, "FR": 0.0, "IN": 0.05}
    population = {"US": 330.0, "CN": 1400.0, "GB": 67.0, "DE": 83.0, "JP": 125.0, "FR": 68.0, "IN": 1400.0}
    rows = []
    for country, s0 in base.items():
        for i, year in enumerate(YEARS):
            for paper_set, scale in (("all", 1.0), ("nature_index", 0.2)):
                s = s0 * scale * (1 + growth[country]) ** i
                rows.append(
                    {
                        "country": country,
                        "year": year,
                        "paper_set": paper_set,
                        "papers": round(s * 1.25),
                        "share": s if share else None,
                        "share_per_million_people": s / population[country] if share else None,
                        "papers_per_million_people": s * 1.25 / population[country],
                        "share_per_usd_bn_rd": None if year == 2024 or not share else s / (population[country] * 2),
                        "papers_per_usd_bn_rd": None if year == 2024 else s * 1.25 / (population[country] * 2),
                        "share_per_thousand_researchers": (
                            s / population[country] * 3 if share and year % 2 == 0 and country != "IN" else None
                        ),
                        "papers_per_thousand_researchers": (
                            s * 1.25 / population[country] * 3 if year % 2 == 0 and country != "IN" else None
                        ),
                        "source_mode": mode,
                    }
                )
    return pl.DataFrame(rows, infer_schema_length=None)


BREAK_SCHEMA = {
    "country_a": pl.String,
    "country_b": pl.String,
    "signal": pl.String,
    "break_year": pl.Int64,
    "n_points": pl.Int64,
    "n_before": pl.Int64,
    "n_after": pl.Int64,
    "value_at_break": pl.Float64,
    "value_last": pl.Float64,
    "change_since_break": pl.Float64,
    "cagr_before": pl.Float64,
    "cagr_after": pl.Float64,
    "growth_before": pl.Float64,
    "growth_after": pl.Float64,
    "slope_change_p_value": pl.Float64,
    "level_change": pl.Float64,
    "chow_f": pl.Float64,
    "chow_p_value": pl.Float64,
    "found_break_year": pl.Int64,
    "reason": pl.String,
}


def breaks() -> pl.DataFrame:
    """Three CN–US estimates (one complete, two with NULLs and a reason) and one US–CN row the report must drop."""
    full = (10, 5, 5, 75.0, 65.0, -0.1333, 0.0501, -0.0352, 0.048, -0.029, 0.0004, -1.5, 14.2, 0.0031, 2019, None)
    rows = [
        ("CN", "US", "coauthored", 2020, *full),
        ("CN", "US", "coauthored", 2022, *full[:-1], None),
        (
            "CN",
            "US",
            "passengers_a_to_b",
            2022,
            9,
            6,
            3,
            None,
            450_000.0,
            None,
            0.02,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            f"no value in 2022; 3 points in 2022 or later need 4 {INJECTION}",
        ),
        ("US", "CN", "coauthored", 2020, *full),
    ]
    return pl.DataFrame(rows, schema=BREAK_SCHEMA, orient="row")


# "What drives it" (issue 20): hand-made rows of the four marts with known answers, and decoys the report must drop.
# Field change, CN–US, all journals, level 'field': (field, before, after); change % = after / before - 1.
FIELDS = (
    ("Energy", 10.0, 4.0),  # -60 %
    ("Physics", 10.0, 7.0),  # -30 %
    ("Chemistry", 5.0, 4.0),  # -20 %
    ("Engineering", 10.0, 9.0),  # -10 %
    ("Medicine", 20.0, 19.0),  # -5 %
    ("Mathematics", 50.0, 49.0),  # -2 %: the sixth fall, not listed
    ("Neuroscience", 10.0, 12.0),  # +20 %
    ("Economics", 4.0, 8.0),  # +100 %
    ("Dentistry", 0.0, 3.0),  # no before value: in neither list
    ("Nursing", 6.0, 6.0),  # unchanged: in neither list
)
# Institution pairs of CN–US in 2024 (all journals): contributions 12, 11, …, 1 (sum 78), ranks 1…12.
INSTITUTION_CONTRIBUTIONS = list(range(12, 0, -1))
# Moves: (origin, destination, year, movers, returnees).
MOVES = (("CN", "US", 2016, 3, 1), ("US", "CN", 2018, 2, 0), ("CN", "US", 2021, 4, 2), ("CN", "GB", 2016, 50, 9))
TIES_LOOKBACK = 2  # 2015 and 2016 are censored


def field_change(mode: str = "sample") -> pl.DataFrame:
    rows = []
    for pair, paper_set, level in (
        (("CN", "US"), "all", "field"),
        (("US", "CN"), "all", "field"),  # the other order: dropped
        (("CN", "US"), "nature_index", "field"),  # other paper set: dropped
        (("CN", "US"), "all", "domain"),  # other level: dropped
    ):
        decoy = (pair, paper_set, level) != (("CN", "US"), "all", "field")
        for i, (field, before, after) in enumerate(FIELDS):
            after = after / 100 if decoy else after  # a decoy would show -99 % falls
            rows.append(
                {
                    "country_a": pair[0],
                    "country_b": pair[1],
                    "paper_set": paper_set,
                    "level": level,
                    "field_id": f"fields/{i}",
                    "field": f"Decoy {field}" if decoy else field,
                    "domain": "Physical Sciences",
                    "rank": i + 1,
                    "break_year": 2018,
                    "before_first": 2016,
                    "before_last": 2018,
                    "after_first": 2022,
                    "after_last": 2024,
                    "coauthored_before": before,
                    "coauthored_after": after,
                    "coauthored_change": after - before,
                    "coauthored_change_pct": after / before - 1 if before else None,
                    "collaboration_score_change_pct": (after / before - 1) / 2 if before else None,
                    "source_mode": mode,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def ties(mode: str = "sample") -> pl.DataFrame:
    rows = []
    for pair in (("CN", "US"), ("US", "CN")):
        for i, year in enumerate(YEARS):
            new, repeat = 100 - 5 * i, 10 * i
            rows.append(
                {
                    "country_a": pair[0],
                    "country_b": pair[1],
                    "year": year,
                    "joint_papers": 50,
                    "new_pairs": new if pair == ("CN", "US") else 9999,
                    "repeat_pairs": repeat,
                    "share_papers_with_repeat_pair": None if year == 2015 else i / 20,
                    "history_censored": year - TIES_LOOKBACK < YEARS[0],
                    "lookback_years": TIES_LOOKBACK,
                    "max_authors": 50,
                    "source_mode": mode,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def institution_pairs(mode: str = "sample") -> pl.DataFrame:
    rows = []
    for year, paper_set, scale in ((2024, "all", 1), (2024, "nature_index", 100), (2023, "all", 100)):
        for rank, contribution in enumerate(INSTITUTION_CONTRIBUTIONS, start=1):
            name = f"Univ {rank} (CN)" + (f" {INJECTION}" if rank == 1 else "")
            rows.append(
                {
                    "country_a": "CN",
                    "country_b": "US",
                    "year": year,
                    "paper_set": paper_set,
                    "rank": rank,
                    "institution_a_id": f"I{rank}",
                    "institution_a": name if scale == 1 else f"Decoy {rank}",
                    "institution_a_ror": f"https://ror.org/0cn{rank:04d}",
                    "institution_b_id": f"J{rank}",
                    "institution_b": f"College {rank} (US)",
                    "institution_b_ror": f"https://ror.org/0us{rank:04d}",
                    "joint_papers": 13 - rank,
                    "collaboration_score_contribution": float(contribution * scale),
                    "source_mode": mode,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def moves(mode: str = "sample") -> pl.DataFrame:
    if mode == "live":
        return pl.DataFrame(
            {
                "origin": [None] * len(YEARS),
                "destination": [None] * len(YEARS),
                "year": YEARS,
                "movers": [None] * len(YEARS),
                "returnees": [None] * len(YEARS),
                "method": "not produced in live mode: an author's full list of works is not fetched",
                "source_mode": mode,
            },
            schema_overrides={"origin": pl.String, "destination": pl.String, "movers": pl.Int64, "returnees": pl.Int64},
        )
    frame = pl.DataFrame(MOVES, schema=["origin", "destination", "year", "movers", "returnees"], orient="row")
    return frame.with_columns(method=pl.lit("authors of every work"), source_mode=pl.lit(mode))


def drivers(mode: str = "sample") -> report.DriverFrames:
    return report.DriverFrames(field_change(mode), ties(mode), institution_pairs(mode), moves(mode))


def table_rows(page: str, name: str) -> list[list[str]]:
    """The cell texts of `<table data-table=name>` (HTML entities left as they are)."""
    match = re.search(rf'<table data-table="{name}">(.*?)</table>', page, re.DOTALL)
    assert match, name
    body = match.group(1).split("<tbody>")[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def render(mode: str = "sample", **overrides) -> str:
    kwargs = {
        "country_a": "CN",
        "country_b": "US",
        "base_year": 2018,
        "break_years": [2020, 2022],
        "dashboard": dashboard(mode),
        "breaks": breaks(),
        "normalised": normalised(mode),
        "source_mode": mode,
        "generated_at": GENERATED_AT,
        "drivers": drivers(mode),
    }
    return report.render_report(**(kwargs | overrides))


# --- without a browser -----------------------------------------------------------------------------------------


def test_report_is_self_contained_and_escapes_data_text():
    page = render()
    assert INJECTION not in page
    assert "&lt;img src=&quot;http://injection.invalid/x.png&quot;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    # No reference that a browser would fetch: no src=, no stylesheet links, no external url(), no <script>.
    assert not re.search(r"\bsrc\s*=\s*['\"]|<link\b|<script\b|url\((?!#)", page, re.IGNORECASE)
    assert "default-src 'none'" in page
    for chart in EXPECTED_FIGURES:
        assert page.count(f'data-chart="{chart}"') == 1
    # Chart ids are namespaced per chart, so charts never share glyph or clip-path definitions.
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_report_refuses_sample_rows_under_a_live_banner():
    with pytest.raises(ValueError, match="sample"):
        render("sample", source_mode="live")
    live = render("live")
    assert "SYNTHETIC" not in live
    assert 'data-source-mode="live"' in live


def test_report_charts_say_sample_on_themselves():
    # Each chart carries the SAMPLE watermark and label in its own drawing (saved or copied alone, it still says
    # so); live rows get none.
    sample = render("sample")
    for chart in EXPECTED_FIGURES:
        assert f'id="{chart}-sample-watermark"' in sample and f'id="{chart}-sample-label"' in sample, chart
    assert "sample-watermark" not in render("live") and "sample-label" not in render("live")


def test_the_report_is_about_the_first_two_focus_countries_and_named_after_them():
    assert report.report_pair(("DE", "FR")) == ("DE", "FR")
    assert report.report_pair(("DE", "FR", "CN")) == ("DE", "FR")
    assert report.report_path(Path("out"), ("DE", "FR")) == Path("out/de_fr.html")
    page = render(country_a="CN", country_b="GB")
    assert "<h1>CN–GB research collaboration</h1>" in page and "CN–US" not in page


def test_report_draws_full_counts_when_share_is_null():
    page = render("live", normalised=normalised("live", share=False))
    assert re.search(r'data-chart="normalised-share" data-paper-set="all" data-measure="papers"', page)
    assert "Share is not available in this warehouse" in page


def test_drivers_list_the_largest_falls_and_rises_of_the_pair_since_the_break():
    page = render()
    falls = table_rows(page, "field-falls")
    assert [r[0] for r in falls] == ["Energy", "Physics", "Chemistry", "Engineering", "Medicine"]
    assert [r[5] for r in falls] == ["-60.0 %", "-30.0 %", "-20.0 %", "-10.0 %", "-5.0 %"]
    assert falls[0][2:5] == ["10.0", "4.0", "-6.0"]
    assert falls[0][6] == "-30.0 %"  # the collaboration score's change, half of the papers' here
    rises = table_rows(page, "field-rises")
    assert [(r[0], r[5]) for r in rises] == [("Economics", "+100.0 %"), ("Neuroscience", "+20.0 %")]
    assert "Decoy" not in page and "Dentistry" not in page and "Nursing" not in page
    assert "before = 2016–2018 (ending at the break year 2018), after = 2022–2024" in page


def test_drivers_draw_new_and_repeat_ties_with_the_censored_years_marked():
    page = render()
    figure = re.search(r'<figure data-chart="ties".*?</figure>', page, re.DOTALL).group(0)
    assert 'data-lookback-years="2"' in figure
    for gid in ("new_pairs", "repeat_pairs", "share_papers_with_repeat_pair", "censored-years"):
        assert f'id="ties-{gid}' in figure, gid
    # the SAMPLE warning on the chart itself, as on every other chart; none on live rows
    assert 'id="ties-sample-watermark"' in figure and 'id="ties-sample-label"' in figure
    assert "sample-watermark" not in render("live")
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figure).group(1)
    assert "Shaded: 2015–2016, history censored" in caption and "in the 2 years before" in caption
    # no censored year: no shading and no claim of one
    uncensored = ties().with_columns(history_censored=pl.lit(False))
    page = render(drivers=report.DriverFrames(field_change(), uncensored, institution_pairs(), moves()))
    assert 'id="ties-censored-years' not in page and "Shaded:" not in page


def test_drivers_list_the_top_ten_institution_pairs_of_the_latest_year():
    page = render()
    rows = table_rows(page, "institution-pairs")
    assert [r[0] for r in rows] == [str(i) for i in range(1, 11)]  # 11 and 12 are cut
    assert rows[0][1].startswith("Univ 1 (CN) &lt;img")  # escaped, never markup
    assert rows[0][2] == "https://ror.org/0cn0001" and rows[0][3:5] == ["College 1 (US)", "https://ror.org/0us0001"]
    assert rows[0][5:] == ["12", "12.00", f"{12 / 78 * 100:.1f} %"]
    assert rows[9][7] == f"{3 / 78 * 100:.1f} %"  # the share is of the whole year, not of the ten shown
    assert "Decoy" not in page and "the 10 of 12 institution pairs" in page


def test_drivers_count_moves_both_ways_and_show_the_reason_in_live_mode():
    rows = {r[0]: r[1:] for r in table_rows(render(), "moves")}
    assert list(rows) == [str(y) for y in YEARS]  # every configured year; a year without a move is 0
    assert rows["2016"] == ["3", "1", "0", "0"]  # CN→GB's 50 movers are not CN→US
    assert rows["2018"] == ["0", "0", "2", "0"]
    assert rows["2021"] == ["4", "2", "0", "0"]
    live = render("live")
    assert 'data-table="moves"' not in live
    assert "Moves are not available: not produced in live mode" in live


def test_the_report_without_drivers_has_no_drivers_section():
    page = render(drivers=None)
    assert 'id="drivers"' not in page and 'data-chart="ties"' not in page


def test_drivers_refuse_sample_rows_under_a_live_banner():
    with pytest.raises(ValueError, match="ties"):
        render(
            "live", drivers=report.DriverFrames(field_change("live"), ties(), institution_pairs("live"), moves("live"))
        )


def test_write_report_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "out" / "report.html"
    assert report.write_report("<p>one</p>", target) == target
    report.write_report("<p>two</p>", target)
    assert target.read_text(encoding="utf-8") == "<p>two</p>"
    assert target.stat().st_mode & 0o777 == 0o644

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        report.write_report("<p>three</p>", target)
    assert target.read_text(encoding="utf-8") == "<p>two</p>"  # the old report survives
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]  # no temp file left behind


# --- in Chromium -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium() as chromium:
        yield chromium


class GuardedPage:
    """A page whose context aborts every request that is not file:// and records all of them."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def left_the_page(self) -> list[str]:
        return [url for url in self.requests if not url.startswith("file://")] + self.blocked


@pytest.fixture
def guarded(browser) -> Iterator[GuardedPage]:
    guarded = GuardedPage(browser)
    yield guarded
    guarded.context.close()


@pytest.mark.browser
def test_network_guard_catches_an_external_request(guarded: GuardedPage, tmp_path: Path):
    """Control: the guard used below does see (and stop) a request, so 'no request' there means something."""
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<!DOCTYPE html><img src="http://example.invalid/pixel.png">', encoding="utf-8")
    guarded.page.goto(leaky.as_uri())
    guarded.page.wait_for_load_state("load")
    assert "http://example.invalid/pixel.png" in guarded.left_the_page()


def drivers_render_in_chromium(page) -> None:
    """The "What drives it" section as the browser draws it: the ties chart (bars, censored span, SAMPLE mark) and
    the four tables with the rows of the hand-made marts."""
    drivers = page.locator("#drivers")
    assert drivers.is_visible() and "What drives it" in drivers.locator("h2").inner_text()
    ties_figure = drivers.locator('figure[data-chart="ties"]')
    assert ties_figure.is_visible() and ties_figure.locator("svg").count() == 1
    assert ties_figure.locator('g[id*="new_pairs"] path').count() >= len(YEARS)  # one bar a year
    assert ties_figure.locator('g[id="ties-censored-years"]').count() == 1
    assert ties_figure.locator('g[id="ties-sample-watermark"]').count() == 1
    for name, count in (("field-falls", 5), ("field-rises", 2), ("institution-pairs", 10), ("moves", len(YEARS))):
        table = drivers.locator(f'table[data-table="{name}"]')
        assert table.is_visible(), name
        assert table.locator("tbody tr").count() == count, name
    first_fall = drivers.locator('table[data-table="field-falls"] tbody tr').nth(0).locator("td").all_inner_texts()
    assert first_fall[0] == "Energy" and first_fall[5] == "-60.0 %"
    first_pair = drivers.locator('table[data-table="institution-pairs"] tbody tr').nth(0).locator("td")
    assert first_pair.nth(1).inner_text() == f"Univ 1 (CN) {INJECTION}"  # text, not markup
    assert first_pair.nth(2).inner_text() == "https://ror.org/0cn0001"


@pytest.mark.browser
def test_report_in_chromium(guarded: GuardedPage, tmp_path: Path):
    path = report.write_report(render(), tmp_path / "report.html")
    page = guarded.page
    page.goto(path.as_uri())
    page.wait_for_load_state("load")

    banner = page.locator("#source-mode-banner")
    assert banner.is_visible()
    assert "SYNTHETIC" in banner.inner_text()
    assert "not real data" in banner.inner_text().lower()
    assert banner.bounding_box()["y"] == 0  # first thing on the page
    assert page.title().startswith("[SYNTHETIC SAMPLE] CN–US")
    assert "CN–US" in page.locator("h1").inner_text()
    assert page.locator("time").get_attribute("datetime") == GENERATED_AT.isoformat()

    for chart in EXPECTED_FIGURES:
        figure = page.locator(f'figure[data-chart="{chart}"]')
        assert figure.count() == 1, chart
        assert figure.is_visible(), chart
        box = figure.bounding_box()
        assert box["width"] > 300 and box["height"] > 200, (chart, box)
        svg = figure.locator("svg")
        assert svg.count() == 1 and svg.is_visible(), chart
        svg_box = svg.bounding_box()
        assert svg_box["width"] > 300 and svg_box["height"] > 150, (chart, svg_box)
        # Drawn series: matplotlib writes each Line2D as <g id="…line2d_N"><path …>.
        assert figure.locator('g[id*="line2d"] path').count() >= 2, chart
        assert figure.locator("path").count() > 20, chart
        assert figure.locator("figcaption").inner_text().strip(), chart

    signals_caption = page.locator('figure[data-chart="signals"] figcaption').inner_text()
    assert "2020, 2022" in signals_caption
    share_caption = page.locator('figure[data-chart="normalised-share"] figcaption').inner_text()
    assert "(CN, US, GB, DE, JP)" in share_caption  # CN overtakes US by 2024

    dash = page.locator('table[data-table="dashboard"]')
    assert dash.is_visible()
    headers = dash.locator("th").evaluate_all("ths => ths.map(th => th.dataset.col)")
    for column in (
        "year",
        "coauthored",
        "collaboration_score",
        "collaboration_score_ci_low",
        "collaboration_score_ci_high",
        "observed_expected",
        "observed_expected_ci_low",
        "observed_expected_ci_high",
        "students_a_to_b",
        "students_b_to_a",
        "passengers_a_to_b",
        "papers_provenance",
        "students_a_to_b_provenance",
        "passengers_provenance",
    ):
        assert column in headers, column
    rows = dash.locator("tbody tr")
    assert rows.count() == len(YEARS)  # CN–US only; the CN–GB decoy is not listed
    assert rows.locator("td:first-child").all_inner_texts() == [str(y) for y in YEARS]
    first = dict(zip(headers, rows.nth(0).locator("td").all_inner_texts(), strict=True))
    assert first["coauthored"] == "60"
    assert first["collaboration_score"] == "54.0"
    assert first["collaboration_score_ci_low"] == "51.5"
    assert first["students_a_to_b"] == "300,000"
    assert first["students_b_to_a"] == "—"
    year_2021 = dict(zip(headers, rows.nth(YEARS.index(2021)).locator("td").all_inner_texts(), strict=True))
    assert year_2021["passengers_a_to_b"] == "—"

    brk = page.locator('table[data-table="breaks"]')
    assert brk.is_visible()
    brk_headers = brk.locator("th").evaluate_all("ths => ths.map(th => th.dataset.col)")
    assert "reason" in brk_headers and "country_a" not in brk_headers
    brk_rows = [
        dict(zip(brk_headers, cells, strict=True))
        for cells in (brk.locator("tbody tr").nth(i).locator("td").all_inner_texts() for i in range(3))
    ]
    assert brk.locator("tbody tr").count() == 3  # the US–CN row is not CN–US
    assert [(r["signal"], r["break_year"]) for r in brk_rows] == [
        ("coauthored", "2020"),
        ("coauthored", "2022"),
        ("passengers_a_to_b", "2022"),
    ]
    assert brk_rows[0]["change_since_break"] == "-13.3 %"
    assert brk_rows[0]["slope_change_p_value"] == "<0.001"
    assert brk_rows[0]["chow_p_value"] == "0.003"
    assert brk_rows[0]["reason"] == "—"
    passengers = brk_rows[2]
    assert passengers["value_at_break"] == "—" and passengers["chow_f"] == "—"
    assert passengers["reason"].startswith("no value in 2022")
    assert INJECTION in passengers["reason"]  # shown as text …
    assert page.locator("img, b").count() == 0  # … never as markup

    drivers_render_in_chromium(page)

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert width == 1280 and height > 900  # the whole page, not the viewport

    assert guarded.left_the_page() == []
    assert [url for url in guarded.requests] == [path.as_uri()]
    assert guarded.console_errors == []
