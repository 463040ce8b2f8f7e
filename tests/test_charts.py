"""Charts (pipeline/charts.py) built from small hand-made frames shaped like mart.bilateral_dashboard and
mart.country_normalised; the assertions read the Axes back (line data, labels, gids), not pixels, except for the SAMPLE
mark, which must be in the image itself."""

from __future__ import annotations

import base64
import io
import math
import re
import sys

import matplotlib
import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D

from pipeline import charts

YEARS = list(range(2015, 2025))
NI_LABEL = "Collaboration score (Nature Index journals)"


def dashboard() -> pl.DataFrame:
    """CN–US with the Nature Index series all NULL and one NULL passenger year (2021); a CN–GB decoy pair."""
    n = len(YEARS)
    cn_us = {
        "country_a": ["CN"] * n,
        "country_b": ["US"] * n,
        "year": YEARS,
        "coauthored_index": [80.0 + 5 * i for i in range(n)],
        "collaboration_score_index": [82.0 + 4 * i for i in range(n)],
        "collaboration_score_nature_index_index": [None] * n,
        "students_a_to_b_index": [90.0, 95.0, 98.0, 100.0, 101.0, 93.0, 86.0, 82.0, 80.0, 78.0],
        "passengers_a_to_b_index": [84.0, 92.0, 99.0, 100.0, 99.0, 13.0, None, 3.0, 16.0, 34.0],
        "base_year": [2018] * n,
    }
    cn_gb = {k: ([v[0]] * n if k not in ("year",) else v) for k, v in cn_us.items()}
    cn_gb["country_b"] = ["GB"] * n
    cn_gb["coauthored_index"] = [500.0] * n  # never the pair's values
    schema = {
        "country_a": pl.String,
        "country_b": pl.String,
        "year": pl.Int64,
        "coauthored_index": pl.Float64,
        "collaboration_score_index": pl.Float64,
        "collaboration_score_nature_index_index": pl.Float64,
        "students_a_to_b_index": pl.Float64,
        "passengers_a_to_b_index": pl.Float64,
        "base_year": pl.Int32,
    }
    # Rows shuffled: the chart must sort by year itself.
    return pl.concat([pl.DataFrame(cn_us, schema=schema), pl.DataFrame(cn_gb, schema=schema)]).reverse()


def normalised() -> pl.DataFrame:
    """Latest year 2024. In 2024 the Share order is US > CN > DE > GB > JP; FR led in 2023 but is NULL in 2024;
    IN has no per-capita values; CN's 2019 per-capita value is NULL and its 2021 row is missing altogether."""
    shares_2024 = {"US": 300.0, "CN": 280.0, "DE": 90.0, "GB": 80.0, "JP": 70.0, "FR": None, "IN": 20.0}
    rows = []
    for country, latest in shares_2024.items():
        for year in YEARS:
            if country == "CN" and year == 2021:
                continue
            share = latest if year == 2024 else 50.0 + (year - 2015)
            if country == "FR" and year == 2023:
                share = 1000.0
            per_million = None if country == "IN" or (country == "CN" and year == 2019) else 0.1 * (year - 2010)
            rows.append((country, year, "all", share, per_million))
            rows.append((country, year, "nature_index", 1.0 if country == "IN" else 0.5, None))
    return pl.DataFrame(
        rows,
        schema={
            "country": pl.String,
            "year": pl.Int64,
            "paper_set": pl.String,
            "share": pl.Float64,
            "share_per_million_people": pl.Float64,
        },
        orient="row",
    )


def data_lines(fig: Figure) -> dict[str, Line2D]:
    """Plotted series by gid (the column or country-<code>), excluding the reference and break lines."""
    ax = fig.axes[0]
    return {
        line.get_gid(): line
        for line in ax.get_lines()
        if line.get_gid() and line.get_gid() != "base-line" and not line.get_gid().startswith("break-")
    }


def footnote(fig: Figure) -> str | None:
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "footnote"]
    assert len(texts) <= 1
    return texts[0] if texts else None


def test_signals_chart_draws_the_pairs_series_and_names_the_empty_one():
    fig = charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, [2020])
    ax = fig.axes[0]
    lines = data_lines(fig)
    assert set(lines) == {
        "coauthored_index",
        "collaboration_score_index",
        "students_a_to_b_index",
        "passengers_a_to_b_index",
    }
    assert [h.get_label() for h in ax.get_legend().legend_handles] == [
        "Co-authored papers",
        "Collaboration score",
        "Students CN→US",
        "Passengers CN→US",
    ]
    assert footnote(fig) == f"no data: {NI_LABEL}"
    assert ax.get_title() == "CN–US signals, 2018 = 100"
    # The pair's rows only, sorted by year (the decoy pair has 500 everywhere).
    coauthored = lines["coauthored_index"]
    np.testing.assert_array_equal(coauthored.get_xdata(), YEARS)
    np.testing.assert_array_equal(coauthored.get_ydata(), [80.0 + 5 * i for i in range(10)])


def test_signals_chart_null_is_a_gap_not_zero():
    passengers = data_lines(charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, []))["passengers_a_to_b_index"]
    y = np.asarray(passengers.get_ydata(), dtype=float)
    assert math.isnan(y[YEARS.index(2021)])
    assert np.isfinite(np.delete(y, YEARS.index(2021))).all()


def test_signals_chart_missing_column_is_footnoted_too():
    fig = charts.signals_indexed_chart(dashboard().drop("passengers_a_to_b_index"), "CN", "US", 2018, [])
    assert footnote(fig) == f"no data: {NI_LABEL}, Passengers CN→US"
    assert "passengers_a_to_b_index" not in data_lines(fig)


def test_signals_chart_without_empty_series_has_no_footnote():
    frame = dashboard().with_columns(pl.col("coauthored_index").alias("collaboration_score_nature_index_index"))
    assert footnote(charts.signals_indexed_chart(frame, "CN", "US", 2018, [])) is None


def test_break_lines_at_the_given_years_and_base_line_at_100():
    fig = charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, [2022, 2020])
    ax = fig.axes[0]
    breaks = {line.get_gid(): line for line in ax.get_lines() if (line.get_gid() or "").startswith("break-")}
    assert sorted(breaks) == ["break-2020", "break-2022"]
    for year in (2020, 2022):
        line = breaks[f"break-{year}"]
        assert list(line.get_xdata()) == [year, year]
        assert line.get_linestyle() == "--"
        assert line.get_label() == f"break {year}"
    # Each break year is labelled on the plot, not only in the line's label.
    assert {t.get_text().strip() for t in ax.texts} >= {"2020", "2022"}
    (base,) = [line for line in ax.get_lines() if line.get_gid() == "base-line"]
    assert list(base.get_ydata()) == [100, 100]


def test_signals_chart_refuses_a_base_year_the_index_columns_do_not_use():
    with pytest.raises(ValueError, match="based on"):
        charts.signals_indexed_chart(dashboard(), "CN", "US", 2020, [])


def test_charts_leave_matplotlib_global_state_alone():
    before = dict(matplotlib.rcParams)
    had_pyplot = "matplotlib.pyplot" in sys.modules
    png = charts.to_png_bytes(charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, [2020]))
    svg = charts.to_svg_text(charts.normalised_share_chart(normalised(), ["CN", "US"], "all", "share"))
    assert png and svg
    assert dict(matplotlib.rcParams) == before
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules


def test_png_and_svg_encoders():
    fig = charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, [2020])
    png = charts.to_png_bytes(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000
    svg = charts.to_svg_text(fig)  # a closed figure can still be saved
    assert "<svg" in svg and "</svg>" in svg
    assert "<dc:date>" not in svg  # no timestamp: the same figure gives the same text
    assert svg == charts.to_svg_text(charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, [2020]))


def test_markdown_image_round_trips_the_png():
    png = charts.to_png_bytes(charts.signals_indexed_chart(dashboard(), "CN", "US", 2018, [2020]))
    md = charts.markdown_image(png, "CN–US [signals]\nindexed")
    match = re.fullmatch(r"!\[(.*)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert match is not None
    assert match.group(1) == r"CN–US \[signals\] indexed"
    assert base64.b64decode(match.group(2), validate=True) == png
    with pytest.raises(ValueError, match="PNG"):
        charts.markdown_image(b"GIF89a", "not a png")


def test_normalised_chart_one_line_per_country_with_gaps_for_null_and_missing_years():
    fig = charts.normalised_share_chart(
        normalised(), ["CN", "US", "IN", "CN"], "all", "share_per_million_people", highlight=["CN"]
    )
    lines = data_lines(fig)
    assert list(lines) == ["country-CN", "country-US"]  # de-duplicated, in the given order; IN has no data
    assert footnote(fig) == "no data: IN"
    cn = lines["country-CN"]
    np.testing.assert_array_equal(cn.get_xdata(), YEARS)  # the common year grid, 2021 included
    y = np.asarray(cn.get_ydata(), dtype=float)
    assert math.isnan(y[YEARS.index(2019)])  # NULL value
    assert math.isnan(y[YEARS.index(2021)])  # no row at all
    assert np.isfinite(y).sum() == len(YEARS) - 2
    assert cn.get_linewidth() > lines["country-US"].get_linewidth()  # the focus country stands out
    assert fig.axes[0].get_title() == "Share per million people — all journals"


def test_normalised_chart_filters_the_paper_set_and_checks_the_measure():
    fig = charts.normalised_share_chart(normalised(), ["IN"], "nature_index", "share")
    np.testing.assert_array_equal(data_lines(fig)["country-IN"].get_ydata(), [1.0] * len(YEARS))
    with pytest.raises(ValueError, match="not a column"):
        charts.normalised_share_chart(normalised(), ["CN"], "all", "share_per_parsec")


def test_top_countries_by_latest_share():
    frame = normalised()
    assert charts.top_countries(frame, k=5) == ["US", "CN", "DE", "GB", "JP"]  # FR's 2023 lead does not count
    assert charts.top_countries(frame, k=2) == ["US", "CN"]
    assert charts.top_countries(frame, k=3, paper_set="nature_index") == ["IN", "CN", "DE"]  # ties: by code
    everyone_null = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("share"))
    assert charts.top_countries(everyone_null) == []
    # Ranked in the latest year that has a value: dropping 2024 makes FR's 2023 lead count.
    assert charts.top_countries(frame.filter(pl.col("year") < 2024), k=1) == ["FR"]


def with_mode(frame: pl.DataFrame, mode: str) -> pl.DataFrame:
    return frame.with_columns(pl.lit(mode).alias("source_mode"))


def marks(fig: Figure) -> dict[str, str]:
    """The SAMPLE watermark and label drawn on the figure, by gid."""
    return {t.get_gid(): t.get_text() for t in fig.texts if t.get_gid() in ("sample-watermark", "sample-label")}


def sample_red_pixels(png: bytes) -> int:
    """Pixels of the sample label's red (#b3261e) in the PNG as decoded: the mark is in the image itself."""
    rgb = (imread(io.BytesIO(png), format="png")[..., :3] * 255).round()
    return int((np.abs(rgb - np.array([0xB3, 0x26, 0x1E])).max(axis=-1) <= 2).sum())


def draw_signals(frame: pl.DataFrame) -> Figure:
    return charts.signals_indexed_chart(frame, "CN", "US", 2018, [2020])


def draw_share(frame: pl.DataFrame) -> Figure:
    return charts.normalised_share_chart(frame, ["CN", "US"], "all", "share")


@pytest.mark.parametrize(("rows", "draw"), [(dashboard, draw_signals), (normalised, draw_share)])
def test_sample_rows_put_sample_on_the_image_and_real_rows_do_not(rows, draw):
    sample, live = draw(with_mode(rows(), "sample")), draw(with_mode(rows(), "live"))
    assert marks(sample) == {"sample-watermark": "SAMPLE", "sample-label": "SYNTHETIC SAMPLE — not real data"}
    assert marks(live) == {} and marks(draw(rows())) == {}  # real rows, or rows that do not say: no mark
    sample_png, live_png = charts.to_png_bytes(sample), charts.to_png_bytes(live)
    assert sample_png != live_png
    assert sample_red_pixels(sample_png) > 500 and sample_red_pixels(live_png) == 0


def test_the_mark_follows_the_rows_drawn_not_the_rest_of_the_frame():
    # Only the decoy pair (CN–GB) or the other paper set is synthetic: the chart's own rows are real.
    frame = dashboard().with_columns(
        pl.when(pl.col("country_b") == "GB").then(pl.lit("sample")).otherwise(pl.lit("live")).alias("source_mode")
    )
    assert marks(draw_signals(frame)) == {}
    assert marks(charts.signals_indexed_chart(frame, "CN", "GB", 2018, [])) != {}
    shares = normalised().with_columns(
        pl.when(pl.col("paper_set") == "nature_index")
        .then(pl.lit("sample"))
        .otherwise(pl.lit("live"))
        .alias("source_mode")
    )
    assert marks(draw_share(shares)) == {}


def ties_rows(source_mode: str = "sample") -> pl.DataFrame:
    """CN–US 2015–2020 (2015 and 2016 censored, 2019 without a share) and a US–CN decoy with other counts."""
    years = list(range(2015, 2021))
    return pl.DataFrame(
        {
            "country_a": ["CN"] * 6 + ["US"] * 6,
            "country_b": ["US"] * 6 + ["CN"] * 6,
            "year": years * 2,
            "new_pairs": [50, 40, 30, 20, 10, 5] + [999] * 6,
            "repeat_pairs": [0, 10, 20, 30, 40, 45] + [999] * 6,
            "share_papers_with_repeat_pair": [0.0, 0.1, 0.2, 0.3, None, 0.5] * 2,
            "history_censored": [True, True, False, False, False, False] * 2,
            "source_mode": source_mode,
        }
    )


def test_ties_chart_stacks_new_and_repeat_pairs_and_shades_the_censored_years():
    fig = charts.ties_chart(ties_rows(), "CN", "US")
    ax, twin = fig.axes
    bars = {p.get_gid(): p for p in ax.patches if p.get_gid() and "pairs-" in p.get_gid()}
    assert bars["new_pairs-2017"].get_height() == 30 and bars["repeat_pairs-2017"].get_y() == 30
    assert bars["repeat_pairs-2020"].get_height() == 45  # CN–US, not the 999 of US–CN
    assert len(bars) == 12  # one id per bar: six years × (new, repeat)
    [span] = [p for p in ax.patches if p.get_gid() == "censored-years"]
    assert span.get_x() == pytest.approx(2014.5) and span.get_width() == pytest.approx(2.0)  # 2015–2016
    [share] = [line for line in twin.get_lines() if line.get_gid() == "share_papers_with_repeat_pair"]
    y = share.get_ydata()
    assert y[3] == pytest.approx(30.0) and math.isnan(y[4])  # per cent; NULL is a gap, not 0
    assert any(t.get_gid() == "sample-watermark" for t in fig.texts)
    live = charts.ties_chart(ties_rows("live"), "CN", "US")
    assert not any(t.get_gid() == "sample-watermark" for t in live.texts)
    uncensored = charts.ties_chart(ties_rows().with_columns(history_censored=pl.lit(False)), "CN", "US")
    assert not [p for p in uncensored.axes[0].patches if p.get_gid() == "censored-years"]
    with pytest.raises(ValueError, match="duplicate years"):
        charts.ties_chart(pl.concat([ties_rows(), ties_rows()]), "CN", "US")
