"""Marts: the stable tables SQL consumers read. Each is one warehouse/mart/*.sql file.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from assets.common import mart_asset
from pipeline import suites

bilateral_papers = mart_asset(
    "mart.bilateral_papers",
    ("core.pair_year", "core.country_year", "core.world_year", "core.pair_year_bootstrap"),
    suites.mart_bilateral_papers,
    "Bilateral co-authorship indices for every ordered pair, year and paper set.",
    group="indices",
    source="openalex",
)
country_papers = mart_asset(
    "mart.country_papers",
    ("core.country_year",),
    suites.mart_country_papers,
    "Full and fractional paper output per country, year and paper set.",
    group="indices",
    source="openalex",
)
papers_quality = mart_asset(
    "mart.papers_quality",
    ("core.works", "core.authorship_affiliations", "core.work_country_shares", "core.work_countries"),
    suites.mart_papers_quality,
    "Data-quality figures of the paper records per year and source.",
    group="indices",
    source="openalex",
)
