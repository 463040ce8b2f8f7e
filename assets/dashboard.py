"""Marts across families: normalised paper output (papers + World Bank), the bilateral dashboard with its
plots, the break estimates, and the focus pair's static report.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Mapping
from datetime import UTC, datetime

import dagster as dg
import duckdb
import polars as pl

from assets.common import OWNERS, key, mart_asset
from assets.publish import PUBLISHED
from pipeline import charts
from pipeline.breaks import TIE_SIGNALS, breaks_frame, input_columns, ties_series
from pipeline.context import suites
from pipeline.report import DriverFrames, render_report, report_pair, report_path, write_report
from pipeline.settings import RunSettings, Settings, repo_relative
from pipeline.warehouse import Warehouse, connect

DRIVER_TABLES = ("mart.field_change", "mart.collaboration_ties", "mart.institution_pairs", "mart.researcher_moves")
NORMALISED_MEASURES = ("share", "share_per_million_people", "share_per_usd_bn_rd", "share_per_thousand_researchers")


def _pair_rows(conn: duckdb.DuckDBPyConnection, table: str, pair: tuple[str, str], order: str) -> pl.DataFrame:
    return conn.sql(
        f"SELECT * FROM {table} WHERE country_a = ? AND country_b = ? ORDER BY {order}", params=list(pair)
    ).pl()


def _normalised(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return conn.sql("SELECT * FROM mart.country_normalised ORDER BY country, paper_set, year").pl()


def _chart_countries(normalised: pl.DataFrame, pair: tuple[str, str]) -> list[str]:
    return list(dict.fromkeys([*charts.top_countries(normalised, k=5, paper_set="all"), *pair]))


def dashboard_plots(conn: duckdb.DuckDBPyConnection, settings: Settings) -> Mapping[str, dg.MetadataValue]:
    """The focus pair's signals (base year = 100, break years marked) and the normalised Share chart, as
    Markdown images the Dagster UI shows on the materialisation."""
    pair = report_pair(settings.focus)
    dashboard = _pair_rows(conn, "mart.bilateral_dashboard", pair, "year")
    normalised = _normalised(conn)
    countries = _chart_countries(normalised, pair)
    signals = charts.signals_indexed_chart(dashboard, *pair, settings.base_year, settings.break_years)
    share = charts.normalised_share_chart(normalised, countries, "all", "share")
    per_capita = charts.normalised_share_chart(normalised, countries, "all", "share_per_million_people")
    # The images carry a SAMPLE watermark of their own on sample rows (pipeline.charts); the alt text says it too.
    sample = " (SYNTHETIC SAMPLE, not real data)" if charts.is_sample(dashboard) or charts.is_sample(normalised) else ""
    return {
        "plot_signals": dg.MetadataValue.md(
            charts.markdown_image(
                charts.to_png_bytes(signals), f"{pair[0]}–{pair[1]} signals, {settings.base_year} = 100{sample}"
            )
        ),
        "plot_normalised_share": dg.MetadataValue.md(
            charts.markdown_image(charts.to_png_bytes(share), f"Share, top countries{sample}")
        ),
        "plot_share_per_million_people": dg.MetadataValue.md(
            charts.markdown_image(charts.to_png_bytes(per_capita), f"Share per million people{sample}")
        ),
    }


country_normalised = mart_asset(
    "mart.country_normalised",
    ("mart.country_papers", "core.country_context", "ref.territory_map"),
    suites.mart_country_normalised,
    "Paper output per country and year normalised by population, R&D spending, researchers and articles.",
    group="dashboard",
    source="openalex+worldbank",
)
bilateral_dashboard = mart_asset(
    "mart.bilateral_dashboard",
    ("mart.bilateral_papers", "mart.student_mobility_best", "mart.flight_proxy_index", "mart.country_normalised"),
    suites.mart_bilateral_dashboard,
    "Per ordered country pair and year: co-authorship, student mobility and the flight proxy, each also "
    "indexed to COLLAB_BASE_YEAR and as a year-on-year change, each with its provenance; plots of the focus "
    "pair on the materialisation.",
    group="dashboard",
    source="openalex+mobility+flights",
    after=dashboard_plots,
)


def breaks_input(warehouse: Warehouse, settings: Settings) -> dict[str, pl.DataFrame]:
    """Every dashboard series and the focus pairs' tie series (mart.collaboration_ties: new author pairs, share of
    papers with a repeat pair; censored years left out) through pipeline.breaks (segmented regressions, Chow
    tests, a break search)."""
    with warehouse.connection(settings) as conn:
        dashboard = conn.sql(f"SELECT {', '.join(input_columns())} FROM mart.bilateral_dashboard").pl()
        ties = conn.sql("SELECT * FROM mart.collaboration_ties").pl()
    frames = [
        breaks_frame(dashboard, settings.break_years),
        breaks_frame(ties_series(ties), settings.break_years, TIE_SIGNALS),
    ]
    return {"incoming_breaks": pl.concat(frames).sort("country_a", "country_b", "signal", "break_year")}


def breaks_metadata(conn: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, dg.MetadataValue]:
    series, estimated, too_short = conn.execute(
        "SELECT count(DISTINCT (country_a, country_b, signal)), count(slope_change), count(*) - count(slope_change) "
        "FROM mart.bilateral_breaks"
    ).fetchall()[0]
    return {
        "break_years": dg.MetadataValue.text(",".join(map(str, settings.break_years))),
        "series": dg.MetadataValue.int(series),
        "estimated": dg.MetadataValue.int(estimated),
        "too_short": dg.MetadataValue.int(too_short),
    }


bilateral_breaks = mart_asset(
    "mart.bilateral_breaks",
    ("mart.bilateral_dashboard", "mart.collaboration_ties"),
    suites.mart_bilateral_breaks,
    "Segmented regressions, Chow tests and a break search for every dashboard series and the focus pairs' "
    "new-tie series (pipeline.breaks).",
    group="dashboard",
    source="openalex+mobility+flights",
    incoming=breaks_input,
    after=breaks_metadata,
    kinds=("duckdb", "python"),
)


def driver_frames(conn: duckdb.DuckDBPyConnection, pair: tuple[str, str]) -> DriverFrames:
    """The pair's rows of the "What drives it" marts (moves: both directions between the two countries)."""
    moves = conn.sql(
        "SELECT * FROM mart.researcher_moves WHERE (origin IN (?, ?) AND destination IN (?, ?)) OR origin IS NULL "
        "ORDER BY year, origin",
        params=[*pair, *pair],
    ).pl()
    return DriverFrames(
        field_change=_pair_rows(conn, "mart.field_change", pair, "paper_set, level, rank, field_id"),
        ties=_pair_rows(conn, "mart.collaboration_ties", pair, "year"),
        institution_pairs=_pair_rows(
            conn, "mart.institution_pairs", pair, "paper_set, year, rank, institution_a_id, institution_b_id"
        ),
        moves=moves,
    )


def _md_table(frame: pl.DataFrame, columns: tuple[str, ...]) -> str:
    if frame.is_empty():
        return "no rows"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame.select(columns).iter_rows():
        cells = ["—" if v is None else f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def drivers_metadata(drivers: DriverFrames, pair: tuple[str, str]) -> dict[str, dg.MetadataValue]:
    """The report's "What drives it" views for the Dagster UI: field falls and rises, the ties chart, the top
    institution pairs of the latest year and the moves between the pair (the live reason instead of counts)."""
    fields = drivers.field_change.filter(
        (pl.col("paper_set") == "all") & (pl.col("level") == "field") & pl.col("coauthored_change_pct").is_not_null()
    )
    field_cols = ("field", "coauthored_before", "coauthored_after", "coauthored_change_pct")
    pairs = drivers.institution_pairs.filter(pl.col("paper_set") == "all")
    pairs = pairs.filter(pl.col("year") == pairs["year"].max()).sort("rank").head(10) if not pairs.is_empty() else pairs
    sample = " (SYNTHETIC SAMPLE, not real data)" if charts.is_sample(drivers.ties) else ""
    ties_png = charts.to_png_bytes(charts.ties_chart(drivers.ties, *pair))
    movers = drivers.moves["movers"]
    moves_md = (
        _md_table(drivers.moves, ("year", "origin", "destination", "movers", "returnees"))
        if movers.is_not_null().any() or drivers.moves.is_empty()
        else f"not available: {drivers.moves['method'][0]}"
    )
    return {
        "drivers_field_falls": dg.MetadataValue.md(_md_table(fields.sort("coauthored_change_pct").head(5), field_cols)),
        "drivers_field_rises": dg.MetadataValue.md(
            _md_table(fields.sort("coauthored_change_pct", descending=True).head(5), field_cols)
        ),
        "plot_ties": dg.MetadataValue.md(
            charts.markdown_image(ties_png, f"{pair[0]}–{pair[1]} new and repeat ties{sample}")
        ),
        "drivers_institution_pairs": dg.MetadataValue.md(
            _md_table(
                pairs,
                (
                    "year",
                    "rank",
                    "institution_a",
                    "institution_a_ror",
                    "institution_b",
                    "institution_b_ror",
                    "joint_papers",
                    "collaboration_score_contribution",
                ),
            )
        ),
        "drivers_moves": dg.MetadataValue.md(moves_md),
    }


@dg.asset(
    key=key("report.focus_pair"),
    group_name="dashboard",
    # After the publication: the report reads the published warehouse, is the last step of a full run, and is
    # skipped (the last report kept) when the run publishes nothing. It never holds a publication back.
    deps=[
        key("mart.bilateral_dashboard"),
        key("mart.bilateral_breaks"),
        key("mart.country_normalised"),
        *(key(t) for t in DRIVER_TABLES),
        PUBLISHED,
    ],
    kinds={"html"},
    owners=OWNERS,
    pool="duckdb",
)
def focus_report(
    context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings
) -> dg.MaterializeResult:
    """A static HTML report of the focus pair (the first two countries of COLLAB_FOCUS) with its charts
    embedded, written to COLLAB_REPORT_DIR/<a>_<b>.html; it opens offline in a browser. Drawn from the
    published warehouse after publish/warehouse, so it is the last step of a full run. Replaced atomically, so
    a failed run keeps the last one."""
    settings = run_settings.get()
    pair = report_pair(settings.focus)
    if len(settings.focus) > 2:
        context.log.info(
            f"COLLAB_FOCUS={','.join(settings.focus)}: the report is about the first two, {pair[0]}–{pair[1]}"
        )
    # The published warehouse, read-only: the report shows what readers see (in a run, the publication it follows).
    published = warehouse.published_path(settings)
    if not published.exists():
        raise dg.Failure(f"no published warehouse at {published}: materialise publish/warehouse first")
    conn = connect(published, read_only=True)
    try:
        dashboard = _pair_rows(conn, "mart.bilateral_dashboard", pair, "year")
        breaks = _pair_rows(conn, "mart.bilateral_breaks", pair, "signal, break_year")
        normalised = _normalised(conn)
        drivers = driver_frames(conn, pair)
    finally:
        conn.close()
    html = render_report(
        country_a=pair[0],
        country_b=pair[1],
        base_year=settings.base_year,
        break_years=settings.break_years,
        dashboard=dashboard,
        breaks=breaks,
        normalised=normalised,
        source_mode=settings.mode,
        generated_at=datetime.now(UTC),
        drivers=drivers,
    )
    path = write_report(html, report_path(settings.report_dir, pair))
    context.log.info(f"report written to {path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(repo_relative(path)),
            "bytes": dg.MetadataValue.int(path.stat().st_size),
            "pair": dg.MetadataValue.text(f"{pair[0]}–{pair[1]}"),
            "source_mode": dg.MetadataValue.text(settings.mode),
            **drivers_metadata(drivers, pair),
        }
    )
