"""Context indicators (World Bank): population, GDP, R&D spending, researchers → raw → core, gated.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets.common import RAW_SCOPE, check_spec, core_asset, gated_tables, records_frame, spec
from assets.mobility import iso3
from pipeline.context import suites
from pipeline.context.worldbank import INDICATORS, SampleWorldBank, WbObservation
from pipeline.dictionary import comments
from pipeline.resources import WorldBankResource
from pipeline.settings import load_settings
from pipeline.warehouse import TableLoad, Warehouse, sql_text

GROUP = "context"
CORE_TABLES = {"core.country_context": suites.core_country_context}
WB_SCHEMA = {
    "indicator": pl.String,
    "country_iso2": pl.String,
    "country_iso3": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "obs_status": pl.String,
    "last_updated": pl.String,
    "request": pl.String,
    "retrieved_at": pl.Datetime("us", "UTC"),
}


def worldbank_frame(rows: list[WbObservation]) -> pl.DataFrame:
    return records_frame(rows, WB_SCHEMA)


@dg.multi_asset(
    specs=[spec("raw.worldbank_indicators", GROUP, deps=("ref.countries",), kinds=("duckdb", "python"))],
    check_specs=[check_spec("raw.worldbank_indicators")],
    pool="duckdb",
)
def worldbank_raw(context: dg.AssetExecutionContext, warehouse: Warehouse, worldbank: WorldBankResource) -> Iterator:
    """World Bank population, GDP, R&D expenditure and researchers for the focus and mobility
    countries: the denominators of the normalised indices."""
    settings = load_settings()
    client = SampleWorldBank() if settings.mode == "sample" else worldbank.client()
    countries = iso3(tuple(dict.fromkeys(settings.focus + settings.mobility_countries)))
    first, last = settings.years
    rows = [obs for indicator in INDICATORS for obs in client.observations(indicator, countries, first, last)]
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.worldbank_indicators",
                sql_text("raw/worldbank_indicators.sql"),
                lambda prev: suites.raw_worldbank_indicators(
                    prev, settings.years, settings.rowcount_tolerance, list(INDICATORS)
                ),
                scope=RAW_SCOPE.format(year="year"),
                comments=comments("raw.worldbank_indicators"),
            )
        ],
        settings=settings,
        source=f"worldbank ({settings.mode})",
        frames={"incoming_worldbank": worldbank_frame(rows)},
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "countries": dg.MetadataValue.int(len(countries)),
            "null_values": dg.MetadataValue.int(sum(r.value is None for r in rows)),
        },
        scope_first=first,
        scope_last=last,
    )


context_core = core_asset(
    "context_core",
    CORE_TABLES,
    ("raw.worldbank_indicators",),
    "One row of context per country and year, with R&D spending and researcher counts derived.",
    group=GROUP,
    source="worldbank",
)
