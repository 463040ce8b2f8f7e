"""Context indicators (World Bank, raw in assets/worldbank): population, GDP, R&D spending, researchers → core."""

from assets.common import core_asset
from pipeline.context import suites

GROUP = "context"
CORE_TABLES = {"core.country_context": suites.core_country_context}
context_core = core_asset(
    "context_core",
    CORE_TABLES,
    ("raw.worldbank_indicators",),
    "One row of context per country and year, with R&D spending and researcher counts derived.",
    group=GROUP,
    source="worldbank",
)
