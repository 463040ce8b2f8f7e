"""Charts of the dashboard marts as matplotlib Figures, plus PNG/SVG/Markdown encoders. Pure: no Dagster, no DuckDB.

Figures are built with ``matplotlib.figure.Figure`` and an explicit Agg canvas, never through ``pyplot``: pyplot
keeps a global registry of open figures (a leak in a long-lived Dagster process) and ``matplotlib.use`` would
switch the backend for the whole process. Styling goes through ``rc_context`` so ``rcParams`` are left as found.

NULLs are never drawn as zeros: they become NaN, which matplotlib draws as a gap in the line. A series with no
value at all is left out of the plot and named in a footnote ("no data: …") instead of silently disappearing.

Charts of synthetic data say so on themselves: when any row drawn from has ``source_mode = 'sample'``, a large
diagonal "SAMPLE" watermark and a corner label are drawn into the figure (``gid='sample-watermark'`` and
``'sample-label'``), so a PNG shown without the report's banner (the Dagster UI's materialisation metadata, a
copied image) still cannot pass as real data. Rows of real data get no mark.
"""

from __future__ import annotations

import base64
import io
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import polars as pl
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# (column, label template); {a} and {b} are the pair's codes.
SIGNAL_SERIES: tuple[tuple[str, str], ...] = (
    ("coauthored_index", "Co-authored papers"),
    ("collaboration_score_index", "Collaboration score"),
    ("collaboration_score_nature_index_index", "Collaboration score\n(Nature Index journals)"),
    ("students_a_to_b_index", "Students {a}→{b}"),
    ("passengers_a_to_b_index", "Passengers {a}→{b}"),
)

MEASURE_LABELS: dict[str, str] = {
    "share": "Share",
    "papers": "Papers (full count)",
    "share_per_million_people": "Share per million people",
    "papers_per_million_people": "Papers per million people",
    "share_per_usd_bn_rd": "Share per US$ bn of R&D spending",
    "papers_per_usd_bn_rd": "Papers per US$ bn of R&D spending",
    "share_per_thousand_researchers": "Share per 1,000 researchers",
    "papers_per_thousand_researchers": "Papers per 1,000 researchers",
    "share_per_article": "Share per article",
}

PAPER_SET_LABELS: dict[str, str] = {"all": "all journals", "nature_index": "Nature Index journals"}

# tab10 without its grey, so the base line (grey) never looks like a series.
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
)

_STYLE = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8,
    "legend.frameon": False,
    # Deterministic SVG: fixed id salt (same input, same bytes) and glyphs as paths (no font files to fetch).
    "svg.hashsalt": "collab-observatory",
    "svg.fonttype": "path",
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLE_WATERMARK = "SAMPLE"
SAMPLE_LABEL = "SYNTHETIC SAMPLE — not real data"
_SAMPLE_COLOUR = "#b3261e"  # the report's sample banner colour


@contextmanager
def _style() -> Iterator[None]:
    with rc_context(_STYLE):
        yield


def measure_label(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure.replace("_", " ").capitalize())


def paper_set_label(paper_set: str) -> str:
    return PAPER_SET_LABELS.get(paper_set, f"paper set '{paper_set}'")


def _new_figure(width: float = 9.0, height: float = 4.8) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)  # explicit Agg canvas: no pyplot, no process-wide backend switch
    return fig


def _as_float(series: pl.Series) -> np.ndarray:
    """Float array with NULL and NaN both as NaN (matplotlib draws NaN as a gap)."""
    return series.cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)


def _has_data(values: np.ndarray) -> bool:
    return bool(np.isfinite(values).any())


def _footnote(fig: Figure, missing: Sequence[str]) -> None:
    if missing:
        names = [" ".join(name.split()) for name in missing]  # legend labels may hold line breaks
        fig.text(0.01, 0.015, "no data: " + ", ".join(names), ha="left", va="bottom", fontsize=8, gid="footnote")


def is_sample(rows: pl.DataFrame) -> bool:
    """True when any of ``rows`` is synthetic (``source_mode = 'sample'``); a frame without the column is not."""
    return "source_mode" in rows.columns and bool((rows["source_mode"] == "sample").any())


def _sample_mark(fig: Figure) -> None:
    """The watermark of a chart drawn from sample rows: a large, pale diagonal SAMPLE over the whole figure (above
    the axes, translucent so the lines stay readable) and a solid label in the top-left corner."""
    fig.text(
        0.5,
        0.5,
        SAMPLE_WATERMARK,
        ha="center",
        va="center",
        rotation=25,
        fontsize=64,
        fontweight="bold",
        color=_SAMPLE_COLOUR,
        alpha=0.16,
        zorder=10,
        gid="sample-watermark",
    )
    fig.text(
        0.01,
        0.985,
        SAMPLE_LABEL,
        ha="left",
        va="top",
        fontsize=8.5,
        fontweight="bold",
        color="white",
        bbox={"boxstyle": "square,pad=0.3", "facecolor": _SAMPLE_COLOUR, "edgecolor": "none"},
        zorder=10,
        gid="sample-label",
    )


def _frame_year_chart(
    fig: Figure,
    ax: Axes,
    title: str,
    ylabel: str,
    *,
    drawn: bool,
    empty: str,
    margins: tuple[float, float, float],
    handles: list | None = None,
) -> None:
    """Titles, whole-year ticks and the legend right of the plot, shared by the year charts. When nothing was
    ``drawn`` the plot says ``empty`` instead of showing an empty legend. The legend lists ``handles`` (None:
    every labelled artist). ``margins`` are the plot's left, right and bottom edges (room for legend, footnote)."""
    ax.set_title(title)
    ax.set_xlabel("Year")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if drawn:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center")
    left, right, bottom = margins
    fig.subplots_adjust(left=left, right=right, top=0.9, bottom=bottom)


def signals_indexed_chart(
    dashboard: pl.DataFrame, country_a: str, country_b: str, base_year: int, break_years: Sequence[int]
) -> Figure:
    """The pair's signals indexed to ``base_year`` (= 100) over the years of mart.bilateral_dashboard.

    One line per column of SIGNAL_SERIES that has at least one value; the others (all NULL, or missing from the
    frame) are named in the footnote. A grey line marks 100 and a dashed vertical line marks each break year
    (``gid='break-<year>'``, label ``'break <year>'``). Raises ValueError when the frame's ``base_year`` column
    disagrees with ``base_year`` (the index columns would not be "= 100" in the year the title names) or when
    a year appears twice for the pair. Sample rows of the pair get the SAMPLE watermark (module docstring).
    """
    rows = dashboard.filter((pl.col("country_a") == country_a) & (pl.col("country_b") == country_b)).sort("year")
    if rows["year"].is_duplicated().any():
        raise ValueError(f"mart.bilateral_dashboard has duplicate years for {country_a}–{country_b}")
    if "base_year" in rows.columns:
        frame_bases = set(rows["base_year"].drop_nulls().unique().to_list())
        if frame_bases - {base_year}:
            raise ValueError(f"index columns are based on {sorted(frame_bases)}, not on base_year={base_year}")

    years = rows["year"].cast(pl.Float64).to_numpy()
    with _style():
        fig = _new_figure()
        ax = fig.add_subplot()
        handles = []
        missing: list[str] = []
        for i, (column, template) in enumerate(SIGNAL_SERIES):
            label = template.format(a=country_a, b=country_b)
            values = _as_float(rows[column]) if column in rows.columns else np.array([])
            if not _has_data(values):
                missing.append(label)
                continue
            (line,) = ax.plot(
                years, values, marker="o", markersize=3, lw=1.6, color=PALETTE[i], label=label, gid=column
            )
            handles.append(line)

        ax.axhline(100, color="grey", lw=0.9, zorder=1, label=f"{base_year} = 100", gid="base-line")
        for year in sorted(set(break_years)):
            ax.axvline(year, color="black", ls="--", lw=0.9, alpha=0.7, label=f"break {year}", gid=f"break-{year}")
            # x in data units, y in axes fraction: the label stays at the top whatever the y range.
            ax.text(year, 0.99, f" {year}", transform=ax.get_xaxis_transform(), ha="left", va="top", fontsize=8)

        _frame_year_chart(
            fig,
            ax,
            f"{country_a}–{country_b} signals, {base_year} = 100",
            f"Index ({base_year} = 100)",
            # the legend lists the series only; break lines are labelled on the plot
            drawn=bool(handles),
            empty="no data for this pair",
            margins=(0.08, 0.72, 0.17),
            handles=handles,
        )
        _footnote(fig, missing)
        if is_sample(rows):
            _sample_mark(fig)
    return fig


def normalised_share_chart(
    normalised: pl.DataFrame,
    countries: Sequence[str],
    paper_set: str,
    measure: str,
    *,
    highlight: Sequence[str] = (),
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """One line per country over the years for ``measure`` (a column of mart.country_normalised), like Nature
    Index's "Big 5" chart. Years are put on a common grid first, so a NULL *or a missing row* is a gap in the line,
    never a zero and never an interpolation. Countries in ``highlight`` (the focus pair) are drawn thicker.
    Countries without any value are named in the footnote. Colours come from ``colours`` (country → colour) when
    given, else follow the order of ``countries``; pass one mapping to every chart of a page so a country keeps
    its colour from chart to chart (see ``country_colours``). Sample rows of the paper set get the SAMPLE
    watermark (module docstring).
    """
    if measure not in normalised.columns:
        raise ValueError(f"{measure!r} is not a column of the normalised frame")
    rows = normalised.filter(pl.col("paper_set") == paper_set)
    grid = rows.select(pl.col("year").unique().sort())
    years = grid["year"].cast(pl.Float64).to_numpy()
    label = measure_label(measure)
    with _style():
        fig = _new_figure(6.4, 4.2)  # drawn two to a row in the report
        ax = fig.add_subplot()
        missing: list[str] = []
        plotted = 0
        for i, country in enumerate(dict.fromkeys(countries)):  # dict.fromkeys: de-duplicate, keep order
            values = _on_year_grid(rows, grid, country, paper_set, measure)
            if not _has_data(values):
                missing.append(country)
                continue
            colour = (colours or {}).get(country, PALETTE[i % len(PALETTE)])
            _country_line(ax, years, values, country, colour, bold=country in highlight)
            plotted += 1
        _frame_year_chart(
            fig,
            ax,
            f"{label} — {paper_set_label(paper_set)}",
            label,
            drawn=plotted > 0,
            empty="no data",
            margins=(0.13, 0.86, 0.2),
        )
        _footnote(fig, missing)
        if is_sample(rows):
            _sample_mark(fig)
    return fig


def ties_chart(ties: pl.DataFrame, country_a: str, country_b: str) -> Figure:
    """New versus repeat cross-border author pairs of the pair per year (mart.collaboration_ties): bars of new
    (``gid='new_pairs'``) and repeat pairs stacked, and the share of joint papers with a repeat pair as a line on
    a second axis (``gid='share_papers_with_repeat_pair'``, NULL as a gap). Years flagged history_censored are
    shaded (``gid='censored-years'``): their look-back starts before the data, so their new pairs are overstated.
    Sample rows get the SAMPLE watermark (module docstring)."""
    rows = ties.filter((pl.col("country_a") == country_a) & (pl.col("country_b") == country_b)).sort("year")
    if rows["year"].is_duplicated().any():
        raise ValueError(f"mart.collaboration_ties has duplicate years for {country_a}–{country_b}")
    years = rows["year"].cast(pl.Float64).to_numpy()
    new, repeat = _as_float(rows["new_pairs"]), _as_float(rows["repeat_pairs"])
    share = _as_float(rows["share_papers_with_repeat_pair"]) * 100
    with _style():
        fig = _new_figure()
        ax = fig.add_subplot()
        handles = _stacked_pair_bars(ax, years, new, repeat) if _has_data(new) or _has_data(repeat) else []
        twin = ax.twinx()
        twin.set_ylabel("Papers with a repeat pair (%)")
        twin.grid(False)
        if _has_data(share):
            (line,) = twin.plot(
                years,
                share,
                color=PALETTE[1],
                marker="o",
                markersize=3,
                lw=1.6,
                label="Share of papers with a repeat pair (%)",
                gid="share_papers_with_repeat_pair",
            )
            handles.append(line)
        _censored_span(ax, rows, handles)
        _frame_year_chart(
            fig,
            ax,
            f"{country_a}–{country_b}: new and repeat author pairs",
            "Author pairs",
            drawn=bool(handles),
            empty="no data for this pair",
            margins=(0.08, 0.66, 0.15),
            handles=handles,
        )
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.1, 1.0))
        if is_sample(rows):
            _sample_mark(fig)
    return fig


def _stacked_pair_bars(ax: Axes, years: np.ndarray, new: np.ndarray, repeat: np.ndarray) -> list:
    """New pairs with repeat pairs stacked on top (NULL drawn as no bar); each bar gets an id of its own
    (``new_pairs-<year>``, ``repeat_pairs-<year>``), since one id on every bar would repeat in the SVG."""
    new, repeat = np.nan_to_num(new), np.nan_to_num(repeat)
    bars = [
        ax.bar(years, new, color=PALETTE[0], label="New pairs"),
        ax.bar(years, repeat, bottom=new, color=PALETTE[2], label="Repeat pairs"),
    ]
    for container, name in zip(bars, ("new_pairs", "repeat_pairs"), strict=True):
        for patch, year in zip(container.patches, years, strict=True):
            patch.set_gid(f"{name}-{int(year)}")
    return bars


def _censored_span(ax: Axes, rows: pl.DataFrame, handles: list) -> None:
    """Shade the history-censored years (one span over them) and add it to the legend."""
    if "history_censored" not in rows.columns:
        return
    censored = rows.filter(pl.col("history_censored").fill_null(False))["year"]
    if censored.is_empty():
        return
    span = ax.axvspan(
        censored.min() - 0.5,
        censored.max() + 0.5,
        color="grey",
        alpha=0.15,
        lw=0,
        label="History censored",
        gid="censored-years",
    )
    handles.append(span)


def _on_year_grid(rows: pl.DataFrame, grid: pl.DataFrame, country: str, paper_set: str, measure: str) -> np.ndarray:
    """One country's ``measure`` on the chart's common year grid: a year without a row is NaN (a gap)."""
    per_year = rows.filter(pl.col("country") == country).select("year", measure)
    if per_year["year"].is_duplicated().any():
        raise ValueError(f"duplicate years for {country} in paper set {paper_set!r}")
    return _as_float(grid.join(per_year, on="year", how="left")[measure])


def _country_line(ax: Axes, years: np.ndarray, values: np.ndarray, country: str, colour: str, *, bold: bool) -> None:
    """A country's line; the focus pair's (``bold``) thicker and drawn above the others."""
    ax.plot(
        years,
        values,
        marker="o",
        markersize=3.5 if bold else 2.5,
        lw=2.4 if bold else 1.3,
        color=colour,
        label=country,
        gid=f"country-{country}",
        zorder=3 if bold else 2,
    )


def country_colours(countries: Iterable[str]) -> dict[str, str]:
    """One colour per country, in order of first appearance (cycling through PALETTE)."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(dict.fromkeys(countries))}


def top_countries(normalised: pl.DataFrame, k: int = 5, paper_set: str = "all", *, by: str = "share") -> list[str]:
    """The ``k`` countries with the largest ``by`` (default Share) in the latest year that has any value of it for
    ``paper_set``. Ranking within one common year keeps a country's stale figure from competing with fresh ones;
    a country with NULL in that year is not ranked. Ties go to the alphabetically first code. Empty when the
    column is all NULL (Share in live mode: rank ``by='papers'`` instead).
    """
    value = pl.col(by).cast(pl.Float64)
    rows = normalised.filter((pl.col("paper_set") == paper_set) & value.is_not_null() & ~value.is_nan())
    if rows.is_empty() or k <= 0:
        return []
    latest = rows["year"].max()
    ranked = rows.filter(pl.col("year") == latest).sort([by, "country"], descending=[True, False])
    return ranked["country"].head(k).to_list()


def _close(fig: Figure) -> None:
    """Drop the figure from pyplot's registry if someone created it there; our figures never are."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)


def to_png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes; closes it (it can still be saved again, it is just no longer tracked)."""
    buf = io.BytesIO()
    with _style():
        # No Software/creation-time chunk beyond matplotlib's own: same figure, same bytes.
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    _close(fig)
    return buf.getvalue()


def to_svg_text(fig: Figure) -> str:
    """The figure as a standalone SVG document (glyphs as paths, no date); closes it like ``to_png_bytes``."""
    buf = io.StringIO()
    with _style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    _close(fig)
    return buf.getvalue()


def markdown_image(png: bytes, alt: str) -> str:
    """``![alt](data:image/png;base64,…)``, which Dagster's UI renders in Markdown metadata."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("not PNG bytes")
    # Markdown alt text ends at the first unescaped ']' and cannot span lines.
    safe_alt = " ".join(alt.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{safe_alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
