"""Marts across families: normalised paper output (papers + World Bank) and the bilateral dashboard.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from assets.common import mart_asset
from pipeline.context import suites

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
    ("mart.bilateral_papers", "mart.student_mobility_best", "mart.flight_proxy_index"),
    suites.mart_bilateral_dashboard,
    "Per ordered country pair and year: co-authorship, student mobility and the flight proxy, each also "
    "indexed to COLLAB_BASE_YEAR, each with its provenance.",
    group="dashboard",
    source="openalex+mobility+flights",
)
