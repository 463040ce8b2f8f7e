"""Marts: the stable tables SQL consumers read. Each is one warehouse/mart/*.sql file.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import functools

from assets.common import mart_asset
from pipeline import suites

# The paper marts: group "indices", all built from OpenAlex works.
_papers_mart = functools.partial(mart_asset, group="indices", source="openalex")

bilateral_papers = _papers_mart(
    "mart.bilateral_papers",
    ("core.pair_year", "core.country_year", "core.world_year", "core.pair_year_bootstrap"),
    suites.mart_bilateral_papers,
    "Bilateral co-authorship indices for every ordered pair, year and paper set.",
)
country_papers = _papers_mart(
    "mart.country_papers",
    ("core.country_year",),
    suites.mart_country_papers,
    "Full and fractional paper output per country, year and paper set.",
)
papers_quality = _papers_mart(
    "mart.papers_quality",
    ("core.works", "core.authorship_affiliations", "core.work_country_shares", "core.work_countries"),
    suites.mart_papers_quality,
    "Data-quality figures of the paper records per year and source.",
)
