"""A static, self-contained HTML report for the focus pair. Pure: frames in, one HTML string out; no Dagster.

Self-contained means the page makes no request at all when opened: CSS is inline, charts are inline SVG (glyphs
as paths, no fonts), and a Content-Security-Policy of ``default-src 'none'`` makes any stray reference fail
loudly instead of leaking a request. Every piece of text from the data is passed through ``html.escape``.

Charts sit in ``<figure data-chart="…">`` with a ``<figcaption>``: ``signals``, ``normalised-share``,
``normalised-share-per-million-people``, ``normalised-share-per-usd-bn-rd``,
``normalised-share-per-thousand-researchers`` and, when the frame has the Nature Index paper set,
``normalised-share-nature-index``, and ``ties`` in the "What drives it" section. Tables are
``<table data-table="dashboard">`` and ``data-table="breaks"``; the "What drives it" section (when ``drivers``
are given) adds ``field-falls``, ``field-rises``, ``institution-pairs`` and ``moves``.
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
import pycountry

from pipeline import charts

NULL = "—"

# (column, header template, format); CI columns are shown only when the frame has them.
DASHBOARD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("year", "Year", "year"),
    ("coauthored", "Co-authored papers", "int"),
    ("collaboration_score", "Collaboration score", "f1"),
    ("collaboration_score_ci_low", "Score CI low", "f1"),
    ("collaboration_score_ci_high", "Score CI high", "f1"),
    ("coauthored_nature_index", "Co-authored (Nature Index)", "int"),
    ("collaboration_score_nature_index", "Collaboration score (Nature Index)", "f1"),
    ("observed_expected", "Observed / expected", "f3"),
    ("observed_expected_ci_low", "O/E CI low", "f3"),
    ("observed_expected_ci_high", "O/E CI high", "f3"),
    ("students_a_to_b", "Students {a}→{b}", "int"),
    ("students_a_to_b_index", "Students {a}→{b} index", "f1"),
    ("students_a_to_b_index_method", "Students {a}→{b} index method", "text"),
    ("students_b_to_a", "Students {b}→{a}", "int"),
    ("passengers_a_to_b", "Passengers {a}→{b}", "int"),
    ("papers_provenance", "Papers provenance", "text"),
    ("students_a_to_b_provenance", "Students {a}→{b} provenance", "text"),
    ("students_b_to_a_provenance", "Students {b}→{a} provenance", "text"),
    ("passengers_provenance", "Passengers provenance", "text"),
    ("source_mode", "Mode", "text"),
)

# Rates (CAGR, growth, change since the break) are fractions in the frame and shown as percentages.
BREAK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("signal", "Signal", "text"),
    ("break_year", "Break year", "year"),
    ("n_points", "Points", "int"),
    ("n_before", "Before", "int"),
    ("n_after", "From break", "int"),
    ("value_at_break", "Value at break", "num"),
    ("value_last", "Latest value", "num"),
    ("change_since_break", "Change since break", "pct"),
    ("cagr_before", "CAGR before", "pct"),
    ("cagr_after", "CAGR after", "pct"),
    ("growth_before", "Trend growth before", "pct"),
    ("growth_after", "Trend growth after", "pct"),
    ("slope_change_p_value", "Slope change p", "p"),
    ("level_change", "Level change", "num"),
    ("chow_f", "Chow F", "f2"),
    ("chow_p_value", "Chow p", "p"),
    ("found_break_year", "Break found in data", "year"),
    ("reason", "Reason (why a value is missing)", "text"),
    ("series_basis", "Fitted on", "text"),
    ("provenance", "Provenance", "text"),
)


@dataclass(frozen=True)
class _NormalisedSlot:
    chart_id: str
    paper_set: str
    measure: str
    fallback: str  # the full-count column drawn when the Share column is all NULL (live mode)


NORMALISED_SLOTS: tuple[_NormalisedSlot, ...] = (
    _NormalisedSlot("normalised-share", "all", "share", "papers"),
    _NormalisedSlot(
        "normalised-share-per-million-people", "all", "share_per_million_people", "papers_per_million_people"
    ),
    _NormalisedSlot("normalised-share-per-usd-bn-rd", "all", "share_per_usd_bn_rd", "papers_per_usd_bn_rd"),
    _NormalisedSlot(
        "normalised-share-per-thousand-researchers",
        "all",
        "share_per_thousand_researchers",
        "papers_per_thousand_researchers",
    ),
    _NormalisedSlot("normalised-share-nature-index", "nature_index", "share", "papers"),
)


@dataclass(frozen=True)
class DriverFrames:
    """The marts of "What drives it" (issue 20), each read whole or filtered to the pair: mart.field_change,
    mart.collaboration_ties, mart.institution_pairs and mart.researcher_moves."""

    field_change: pl.DataFrame
    ties: pl.DataFrame
    institution_pairs: pl.DataFrame
    moves: pl.DataFrame


FIELD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("field", "Field", "text"),
    ("domain", "Domain", "text"),
    ("coauthored_before", "Joint papers before (mean)", "f1"),
    ("coauthored_after", "Joint papers after (mean)", "f1"),
    ("coauthored_change", "Change", "f1"),
    ("coauthored_change_pct", "Change %", "pct"),
    ("collaboration_score_change_pct", "Collaboration score change %", "pct"),
)
INSTITUTION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rank", "Rank", "int"),
    ("institution_a", "Institution in {a}", "text"),
    ("institution_a_ror", "ROR ({a})", "text"),
    ("institution_b", "Institution in {b}", "text"),
    ("institution_b_ror", "ROR ({b})", "text"),
    ("joint_papers", "Joint papers", "int"),
    ("collaboration_score_contribution", "Contribution to the collaboration score", "f2"),
    ("contribution_share", "Share of the pair's score", "share"),
)
MOVES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("year", "Year", "year"),
    ("a_to_b", "Moves {a}→{b}", "int"),
    ("a_to_b_returnees", "of which returnees to {b}", "int"),
    ("b_to_a", "Moves {b}→{a}", "int"),
    ("b_to_a_returnees", "of which returnees to {a}", "int"),
)
DRIVER_TOP_FIELDS = 5
DRIVER_TOP_INSTITUTION_PAIRS = 10


_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1b1b;
       background: #fafafa; line-height: 1.45; }
main { max-width: 1280px; margin: 0 auto; padding: 0 1.25rem 3rem; }
header { padding: 1.25rem 0 0.5rem; }
h1 { margin: 0 0 0.25rem; font-size: 1.6rem; }
h2 { margin-top: 2.25rem; border-bottom: 1px solid #ddd; padding-bottom: 0.25rem; font-size: 1.2rem; }
.meta { color: #555; margin: 0.2rem 0; font-size: 0.92rem; }
.banner { position: sticky; top: 0; z-index: 10; padding: 0.7rem 1.25rem; font-weight: 600; text-align: center; }
.banner-sample { background: #b3261e; color: #fff; }
.banner-live { background: #0b5394; color: #fff; }
.banner-other { background: #666; color: #fff; }
figure { margin: 1.25rem 0; background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 0.75rem; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.88rem; margin-top: 0.4rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 0 1rem; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; }
table { border-collapse: collapse; font-size: 0.82rem; width: 100%; }
th, td { padding: 0.3rem 0.45rem; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f1f1f1; text-align: left; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.null { color: #999; text-align: center; }
td.text { min-width: 7rem; }
.empty { color: #777; font-style: italic; }
footer { color: #666; font-size: 0.82rem; margin-top: 2.5rem; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _format(value: object, kind: str) -> str:
    """Plain text for a cell (escaped by the caller)."""
    if _is_missing(value):
        return NULL
    if kind == "text" or not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if kind == "year":
        return str(int(value))
    if kind == "int":
        return f"{round(value):,}"
    if kind in ("f1", "f2", "f3"):
        return f"{value:,.{kind[1]}f}"
    if kind == "pct":
        return f"{value * 100:+.1f} %"
    if kind == "share":
        return f"{value * 100:.1f} %"
    if kind == "p":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    # "num": magnitude-dependent precision, so counts and small slopes both read well.
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _cell(value: object, kind: str) -> str:
    text = _format(value, kind)
    if text == NULL and _is_missing(value):
        return f'<td class="null">{NULL}</td>'
    css = "text" if kind == "text" else "num"
    return f'<td class="{css}">{_e(text)}</td>'


def _table(frame: pl.DataFrame, columns: Sequence[tuple[str, str, str]], name: str, empty: str) -> str:
    if frame.is_empty():
        return f'<p class="empty" data-table-empty="{_e(name)}">{_e(empty)}</p>'
    head = "".join(f'<th scope="col" data-col="{_e(col)}">{_e(label)}</th>' for col, label, _ in columns)
    body = []
    for row in frame.iter_rows(named=True):
        cells = "".join(_cell(row.get(col), kind) for col, _, kind in columns)
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="table-wrap"><table data-table="{_e(name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """An SVG document as an element for an HTML body: XML prologue and metadata dropped, and every id (and its
    references) prefixed, because several charts on one page would otherwise share ids such as glyph or clip-path
    names and one chart could end up drawing with another's definitions."""
    svg = _SVG_METADATA.sub("", _SVG_PROLOGUE.sub("", svg, count=1))
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'(href=")#([^"]+)"', rf'\1#{prefix}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1)


def _figure(chart_id: str, svg: str, caption: str, attrs: dict[str, str] | None = None) -> str:
    extra = "".join(f' data-{_e(k)}="{_e(v)}"' for k, v in (attrs or {}).items())
    return (
        f'<figure data-chart="{_e(chart_id)}"{extra}>'
        f'<div class="chart">{inline_svg(svg, chart_id, caption)}</div>'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def report_pair(focus: Sequence[str]) -> tuple[str, str]:
    """The pair the report, the dashboard plots and the run summary are about: the first two countries of
    COLLAB_FOCUS (``settings.focus``, which has at least two), in that order; further focus countries are
    extracted and in every mart, but get no report of their own."""
    return focus[0], focus[1]


def report_path(report_dir: Path, pair: tuple[str, str]) -> Path:
    """Where the pair's report is written: ``<COLLAB_REPORT_DIR>/<a>_<b>.html``, e.g. ``cn_us.html``."""
    return Path(report_dir) / f"{pair[0].lower()}_{pair[1].lower()}.html"


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def _banner(source_mode: str) -> str:
    if source_mode == "sample":
        css = "banner-sample"
        text = (
            "SYNTHETIC SAMPLE — NOT REAL DATA. Every number in this report comes from the bundled synthetic sample "
            "(source_mode = 'sample'); do not cite it or compare it with published figures."
        )
    elif source_mode == "live":
        css = "banner-live"
        text = "Live data, fetched from the sources' APIs (source_mode = 'live')."
    else:
        css = "banner-other"
        text = f"source_mode = '{source_mode}'"
    return (
        f'<div class="banner {css}" id="source-mode-banner" role="status" data-source-mode="{_e(source_mode)}">'
        f"{_e(text)}</div>"
    )


def _check_modes(source_mode: str, frames: dict[str, pl.DataFrame]) -> None:
    """Sample rows can never pass as live: refuse a non-sample banner over frames holding sample rows."""
    if source_mode == "sample":
        return
    for name, frame in frames.items():
        if "source_mode" in frame.columns and (frame["source_mode"] == "sample").any():
            raise ValueError(f"source_mode={source_mode!r} but the {name} rows include source_mode 'sample'")


def _normalised_figures(normalised: pl.DataFrame, country_a: str, country_b: str) -> list[str]:
    pair = [country_a, country_b]
    paper_sets = set(normalised["paper_set"].unique().to_list()) if "paper_set" in normalised.columns else set()
    slots = [s for s in NORMALISED_SLOTS if s.paper_set in paper_sets and s.measure in normalised.columns]
    plans = []
    for slot in slots:
        in_set = normalised.filter(pl.col("paper_set") == slot.paper_set)
        measure, note = slot.measure, ""
        if (
            in_set[measure].cast(pl.Float64).fill_nan(None).drop_nulls().is_empty()
            and slot.fallback in normalised.columns
        ):
            # Share (fractional counting) is NULL in live mode; full counts are the honest substitute.
            measure = slot.fallback
            note = f" Share is not available in this warehouse, so {charts.measure_label(measure)} is shown instead."
        top = charts.top_countries(normalised, k=5, paper_set=slot.paper_set, by=measure)
        plans.append((slot, measure, note, top))
    # One colour per country on the whole page, the pair's first: a country looks the same in every chart.
    colours = charts.country_colours([*pair, *(c for *_, top in plans for c in top)])
    figures = []
    for slot, measure, note, top in plans:
        countries = list(dict.fromkeys([*top, *pair]))
        fig = charts.normalised_share_chart(
            normalised, countries, slot.paper_set, measure, highlight=pair, colours=colours
        )
        caption = (
            f"{charts.measure_label(measure)}, {charts.paper_set_label(slot.paper_set)}: the five countries with the "
            f"largest {charts.measure_label(measure)} in the latest year ({', '.join(top) or 'none'}) and the pair "
            f"({country_a}, {country_b}, drawn thicker). Gaps are years without a value (no zeros are drawn).{note}"
        )
        attrs = {"paper-set": slot.paper_set, "measure": measure}
        figures.append(_figure(slot.chart_id, charts.to_svg_text(fig), caption, attrs))
    return figures


def _latest(frame: pl.DataFrame, column: str) -> str | None:
    if column not in frame.columns or frame[column].drop_nulls().is_empty():
        return None
    return str(frame[column].drop_nulls().max())


def render_report(
    *,
    country_a: str,
    country_b: str,
    base_year: int,
    break_years: Sequence[int],
    dashboard: pl.DataFrame,
    breaks: pl.DataFrame,
    normalised: pl.DataFrame,
    source_mode: str,
    generated_at: datetime,
    drivers: DriverFrames | None = None,
) -> str:
    """One self-contained HTML page for the pair (see the module docstring for what it holds and how to find it);
    with ``drivers``, a "What drives it" section after the break estimates.

    Raises ValueError when ``source_mode`` is not 'sample' but the frames hold sample rows.
    """
    pair_rows, pair_breaks = _pair_frames(dashboard, breaks, country_a, country_b)
    driver_frames = {} if drivers is None else {k: getattr(drivers, k) for k in DriverFrames.__dataclass_fields__}
    _check_modes(source_mode, {"dashboard": pair_rows, "normalised": normalised, **driver_frames})
    pair_label = f"{country_a}–{country_b}"
    breaks_text = ", ".join(str(y) for y in sorted(set(break_years))) or "none"
    dash_cols = [
        (col, label.format(a=country_a, b=country_b), kind)
        for col, label, kind in DASHBOARD_COLUMNS
        if col in pair_rows.columns or col in ("year", "coauthored", "collaboration_score", "observed_expected")
    ]
    title = f"{'[SYNTHETIC SAMPLE] ' if source_mode == 'sample' else ''}{pair_label} research collaboration report"
    header = [
        f"<h1>{_e(pair_label)} research collaboration</h1>",
        *(f'<p class="meta">{_e(m)}</p>' for m in _meta_lines(pair_rows, country_a, country_b, base_year, breaks_text)),
        _generated_line(generated_at, source_mode),
    ]
    sections = [
        '<section id="signals"><h2>Signals indexed to the base year</h2>',
        _signals_figure(dashboard, country_a, country_b, base_year, break_years, breaks_text),
        "</section>",
        '<section id="normalised"><h2>Share of world output, absolute and normalised</h2><div class="grid">',
        *_normalised_figures(normalised, country_a, country_b),
        "</div></section>",
        f'<section id="dashboard"><h2>{_e(pair_label)} by year (mart.bilateral_dashboard)</h2>',
        _table(pair_rows, dash_cols, "dashboard", f"mart.bilateral_dashboard has no rows for {pair_label}."),
        "</section>",
        '<section id="breaks"><h2>Break estimates</h2>',
        '<p class="meta">Segmented regression and Chow test at each break year; "Break found in data" is the '
        "year a data-driven search prefers (exploratory: it was chosen by the same data). "
        f"{_e(NULL)} marks a value that could not be estimated; the reason column says why.</p>",
        _table(pair_breaks, BREAK_COLUMNS, "breaks", f"No break estimates for {pair_label}."),
        "</section>",
        *([] if drivers is None else _drivers_section(drivers, country_a, country_b)),
    ]
    return _page(title, source_mode, header, sections)


def _pair_frames(
    dashboard: pl.DataFrame, breaks: pl.DataFrame, country_a: str, country_b: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The pair's dashboard rows by year and its break estimates by signal and break year."""
    pair_filter = (pl.col("country_a") == country_a) & (pl.col("country_b") == country_b)
    pair_rows = dashboard.filter(pair_filter).sort("year")
    pair_breaks = breaks.filter(pair_filter) if {"country_a", "country_b"} <= set(breaks.columns) else breaks
    if "signal" in pair_breaks.columns and "break_year" in pair_breaks.columns:
        pair_breaks = pair_breaks.sort(["signal", "break_year"], nulls_last=True)
    return pair_rows, pair_breaks


def _signals_figure(
    dashboard: pl.DataFrame,
    country_a: str,
    country_b: str,
    base_year: int,
    break_years: Sequence[int],
    breaks_text: str,
) -> str:
    """The indexed-signals chart with its caption (which repeats the chart's footnote of missing series)."""
    signals_fig = charts.signals_indexed_chart(dashboard, country_a, country_b, base_year, break_years)
    missing = [t.get_text() for t in signals_fig.texts if t.get_gid() == "footnote"]
    caption = (
        f"{country_a}–{country_b}: each signal divided by its {base_year} value × 100; where the student series "
        "switches source it is chain-linked through an overlap year, never one source over another's base. Dashed "
        f"lines: break years {breaks_text}. Students and passengers count travel from {country_a} to {country_b}."
        + (f" {missing[0][0].upper()}{missing[0][1:]}." if missing else "")
    )
    return _figure("signals", charts.to_svg_text(signals_fig), caption, {"base-year": str(base_year)})


def _drivers_section(drivers: DriverFrames, country_a: str, country_b: str) -> list[str]:
    """ "What drives it": the fields that fell and rose most since the break, new versus repeat author ties, the
    latest year's top institution pairs and the moves between the two countries."""
    pair = f"{country_a}–{country_b}"
    return [
        '<section id="drivers"><h2>What drives it</h2>',
        "<h3>Fields since the break (mart.field_change)</h3>",
        _field_tables(drivers.field_change, country_a, country_b),
        "<h3>New versus repeat author ties (mart.collaboration_ties)</h3>",
        _ties_figure(drivers.ties, country_a, country_b),
        f"<h3>Top institution pairs of {_e(pair)} (mart.institution_pairs)</h3>",
        _institution_table(drivers.institution_pairs, country_a, country_b),
        f"<h3>Researchers moving between {_e(country_a)} and {_e(country_b)} (mart.researcher_moves)</h3>",
        _moves_table(drivers.moves, drivers.ties, country_a, country_b),
        "</section>",
    ]


def _pair_only(frame: pl.DataFrame, country_a: str, country_b: str) -> pl.DataFrame:
    if {"country_a", "country_b"} <= set(frame.columns):
        return frame.filter((pl.col("country_a") == country_a) & (pl.col("country_b") == country_b))
    return frame.clear()


def _field_tables(field_change: pl.DataFrame, country_a: str, country_b: str) -> str:
    """The top falls and the top rises of joint papers by field (paper set 'all', level 'field'), with the
    windows they compare. Fields without a before value (change % NULL) are in neither list."""
    rows = _pair_only(field_change, country_a, country_b)
    if {"paper_set", "level"} <= set(rows.columns):
        rows = rows.filter((pl.col("paper_set") == "all") & (pl.col("level") == "field"))
    else:
        rows = rows.clear()
    known = rows.filter(pl.col("coauthored_change_pct").is_not_null()) if not rows.is_empty() else rows
    pct = "coauthored_change_pct"
    falls = known.filter(pl.col(pct) < 0).sort([pct, "coauthored_change"]).head(DRIVER_TOP_FIELDS)
    rises = known.filter(pl.col(pct) > 0).sort([pct, "coauthored_change"], descending=True).head(DRIVER_TOP_FIELDS)
    note = _field_windows(rows.row(0, named=True), country_a, country_b) if not rows.is_empty() else ""
    empty = f"No field falls for {country_a}–{country_b}."
    return (
        f"{note}<h4>Largest falls</h4>{_table(falls, FIELD_COLUMNS, 'field-falls', empty)}"
        f"<h4>Largest rises</h4>{_table(rises, FIELD_COLUMNS, 'field-rises', empty.replace('falls', 'rises'))}"
    )


def _field_windows(first: dict, country_a: str, country_b: str) -> str:
    years = {k: _format(first.get(k), "year") for k in ("before_first", "before_last", "break_year")}
    years |= {k: _format(first.get(k), "year") for k in ("after_first", "after_last")}
    text = (
        f"Mean joint papers of {country_a}–{country_b} per field (primary topic, all journals): before = "
        f"{years['before_first']}–{years['before_last']} (ending at the break year {years['break_year']}), after = "
        f"{years['after_first']}–{years['after_last']}. Fields without joint papers before the break have no "
        "change % and are left out."
    )
    return f'<p class="meta">{_e(text)}</p>'


def _ties_figure(ties: pl.DataFrame, country_a: str, country_b: str) -> str:
    """The new/repeat ties chart with a caption naming the look-back and the censored years."""
    rows = _pair_only(ties, country_a, country_b).sort("year") if "year" in ties.columns else ties.clear()
    if rows.is_empty():
        empty = f"mart.collaboration_ties has no rows for {country_a}–{country_b}."
        return f'<p class="empty" data-chart-empty="ties">{_e(empty)}</p>'
    lookback = _latest(rows, "lookback_years") or "?"
    max_authors = _latest(rows, "max_authors") or "?"
    censored = rows.filter(pl.col("history_censored").fill_null(False))["year"].to_list()
    censored_text = (
        f"Shaded: {min(censored)}–{max(censored)}, history censored (the look-back starts before the data, so "
        "their new pairs are overstated). "
        if censored
        else ""
    )
    caption = (
        f"{country_a}–{country_b}: author pairs (one author affiliated in {country_a}, one in {country_b}) on joint "
        f"papers per year; a pair is a repeat when the same two were on a joint paper in the {lookback} years "
        f"before, new otherwise. Line: share of the joint papers carrying an author pair that carry a repeat pair. "
        f"{censored_text}Papers with more than {max_authors} authors give no pairs."
    )
    fig = charts.ties_chart(rows, country_a, country_b)
    return _figure("ties", charts.to_svg_text(fig), caption, {"lookback-years": lookback})


def _institution_table(pairs: pl.DataFrame, country_a: str, country_b: str) -> str:
    """The ten institution pairs contributing most to the pair's collaboration score in the latest year
    (all journals), with their share of that year's score."""
    rows = _pair_only(pairs, country_a, country_b)
    rows = rows.filter(pl.col("paper_set") == "all") if "paper_set" in rows.columns else rows.clear()
    empty = f"mart.institution_pairs has no rows for {country_a}–{country_b}."
    if rows.is_empty():
        return _table(rows, INSTITUTION_COLUMNS, "institution-pairs", empty)
    year = rows["year"].max()
    rows = rows.filter(pl.col("year") == year).with_columns(
        (pl.col("collaboration_score_contribution") / pl.col("collaboration_score_contribution").sum()).alias(
            "contribution_share"
        )
    )
    top = rows.sort(["rank", "joint_papers"], descending=[False, True]).head(DRIVER_TOP_INSTITUTION_PAIRS)
    cols = [(c, label.format(a=country_a, b=country_b), k) for c, label, k in INSTITUTION_COLUMNS]
    note = (
        f'<p class="meta">{_e(year)}, all journals: the {len(top)} of {rows.height} institution pairs that add most '
        "to the pair's collaboration score (contributions of all pairs add up to it); a blank institution is the "
        "authors without an institution id.</p>"
    )
    return note + _table(top, cols, "institution-pairs", empty)


def _moves_table(moves: pl.DataFrame, ties: pl.DataFrame, country_a: str, country_b: str) -> str:
    """Moves per year between the two countries, each way, with returnees; years without a move are 0 (the mart
    lists moves only). Where the counts are NULL (live mode) the reason is shown instead of numbers."""
    cols = [(c, label.format(a=country_a, b=country_b), k) for c, label, k in MOVES_COLUMNS]
    if "movers" in moves.columns and not moves.is_empty() and moves["movers"].is_null().all():
        reason = _latest(moves, "method") or "not produced in this mode"
        return f'<p class="empty" data-table-empty="moves">Moves are not available: {_e(reason)}.</p>'
    if not {"origin", "destination", "year", "movers", "returnees"} <= set(moves.columns):
        moves = pl.DataFrame(
            schema={
                "origin": pl.String,
                "destination": pl.String,
                "year": pl.Int64,
                "movers": pl.Int64,
                "returnees": pl.Int64,
            }
        )
    tie_years = ties["year"].to_list() if "year" in ties.columns else []
    frame = pl.DataFrame({"year": sorted({*moves["year"].to_list(), *tie_years})}, schema={"year": pl.Int64})
    for name, origin, destination in (("a_to_b", country_a, country_b), ("b_to_a", country_b, country_a)):
        way = moves.filter((pl.col("origin") == origin) & (pl.col("destination") == destination)).select(
            pl.col("year").cast(pl.Int64),
            pl.col("movers").cast(pl.Int64).alias(name),
            pl.col("returnees").cast(pl.Int64).alias(f"{name}_returnees"),
        )
        frame = frame.join(way, on="year", how="left").with_columns(pl.col(name, f"{name}_returnees").fill_null(0))
    return _table(frame, cols, "moves", f"mart.researcher_moves has no rows for {country_a}–{country_b}.")


def _meta_lines(pair_rows: pl.DataFrame, country_a: str, country_b: str, base_year: int, breaks_text: str) -> list[str]:
    """The header's facts: the pair, the index base, the break years, and what the rows say of policy and age."""
    names = f"{_country_name(country_a)} ({country_a}) and {_country_name(country_b)} ({country_b})"
    meta = [f"Pair: {names}", f"Index base year: {base_year}", f"Break years: {breaks_text}"]
    policy = _latest(pair_rows, "territory_policy")
    if policy:
        meta.append(f"Territory policy: {policy}")
    retrieved = _latest(pair_rows, "retrieved_at")
    if retrieved:
        meta.append(f"Data retrieved (latest): {retrieved}")
    return meta


def _generated_line(generated_at: datetime, source_mode: str) -> str:
    generated = generated_at.isoformat(sep=" ", timespec="seconds")
    return (
        f'<p class="meta">Generated <time datetime="{_e(generated_at.isoformat())}">{_e(generated)}</time> '
        f'· source mode <strong data-source-mode="{_e(source_mode)}">{_e(source_mode)}</strong></p>'
    )


def _page(title: str, source_mode: str, header: Sequence[str], sections: Sequence[str]) -> str:
    """The page around the header and the sections: inline styles, no network, the mode banner, the footer."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network at all: any external reference that slips in is blocked, not fetched.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        _banner(source_mode),
        "<main><header>",
        *header,
        "</header>",
        *sections,
        "<footer>Self-contained page: styles and charts are inline and it makes no network requests. "
        "Generated by collab-observatory (pipeline/report.py).</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(html: str, path: Path) -> Path:  # `html` shadows the module here; it is the public name
    """Write the page atomically: a temp file in the same directory, fsync, then os.replace, so a reader (or a
    web server) sees the old report or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
