"""What drives the change, on people: new versus repeat cross-border author ties (mart.collaboration_ties)
and researchers whose affiliation country changes (mart.researcher_moves), both built set-based from the
paper records of the mode (core.work_records through the core paper tables).

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import functools

import dagster as dg
import duckdb

from assets.common import mart_asset
from pipeline import ties_suites
from pipeline.settings import Settings

_people_mart = functools.partial(mart_asset, group="indices", source="openalex")
PAPER_TABLES = ("core.work_records", "core.works", "core.authorship_affiliations")


def ties_metadata(conn: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, dg.MetadataValue]:
    """The focus pair's series on the materialisation: joint papers, new and repeat author pairs per year."""
    a, b = settings.focus[:2]
    rows = conn.execute(
        "SELECT year, joint_papers, new_pairs, repeat_pairs, history_censored FROM mart.collaboration_ties "
        "WHERE country_a = ? AND country_b = ? ORDER BY year",
        [a, b],
    ).fetchall()
    lines = [f"{y}: {j} joint, {n} new, {r} repeat{' (censored)' if c else ''}" for y, j, n, r, c in rows]
    return {
        "lookback_years": dg.MetadataValue.int(settings.collab_ties_lookback_years),
        "max_authors": dg.MetadataValue.int(settings.collab_ties_max_authors),
        f"{a}-{b}": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "no rows"),
    }


def moves_metadata(conn: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, dg.MetadataValue]:
    """How many moves and returns were seen (NULL counts in live mode stay unsummed)."""
    movers, returnees = conn.execute("SELECT sum(movers), sum(returnees) FROM mart.researcher_moves").fetchall()[0]
    if movers is None:
        return {"moves": dg.MetadataValue.text(f"not produced in {settings.mode} mode (see the method column)")}
    return {"moves": dg.MetadataValue.int(int(movers)), "returnees": dg.MetadataValue.int(int(returnees))}


collaboration_ties = _people_mart(
    "mart.collaboration_ties",
    (*PAPER_TABLES, "core.paper_set_works", "core.work_countries"),
    ties_suites.mart_collaboration_ties,
    "New versus repeat cross-border author pairs on the joint papers of every focus pair and year "
    "(COLLAB_TIES_LOOKBACK_YEARS, COLLAB_TIES_MAX_AUTHORS).",
    after=ties_metadata,
)
researcher_moves = _people_mart(
    "mart.researcher_moves",
    PAPER_TABLES,
    ties_suites.mart_researcher_moves,
    "Authors whose affiliation country changes between consecutive publication years, per origin, destination "
    "and year, with returnees (NULL with the reason in live mode).",
    after=moves_metadata,
)

ASSETS = [collaboration_ties, researcher_moves]
