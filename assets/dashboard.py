"""The bilateral dashboard: the three signal families of a country pair side by side.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from assets.common import mart_asset
from pipeline.context import suites

bilateral_dashboard = mart_asset(
    "mart.bilateral_dashboard",
    ("mart.bilateral_papers", "mart.student_mobility_best", "mart.flight_proxy_index"),
    suites.mart_bilateral_dashboard,
    "Per ordered country pair and year: co-authorship, student mobility and the flight proxy, each also "
    "indexed to COLLAB_BASE_YEAR, each with its provenance.",
    group="dashboard",
    source="openalex+mobility+flights",
)
