"""raw.worldbank_indicators: population, GDP, R&D spending and researchers for the focus and mobility
countries, the denominators of the normalised indices."""

import dagster as dg

from assets.common import ExtractContext, Extracted, RawTableLoad, raw_asset
from assets.worldbank import suites
from assets.worldbank.client import INDICATORS
from assets.worldbank.table import WORLDBANK_INDICATORS
from pipeline.countries import iso3
from pipeline.warehouse import package_sql

GROUP = "context"


def extract(run: ExtractContext) -> Extracted:
    settings = run.settings
    countries = iso3(tuple(dict.fromkeys(settings.focus + settings.mobility_countries)))
    first, last = settings.years
    rows = [obs for indicator in INDICATORS for obs in run.source.observations(indicator, countries, first, last)]
    return Extracted(
        frames={"incoming_worldbank": WORLDBANK_INDICATORS.frame(rows)},
        metadata={
            "countries": dg.MetadataValue.int(len(countries)),
            "null_values": dg.MetadataValue.int(sum(r.value is None for r in rows)),
        },
    )


worldbank_raw = raw_asset(
    "worldbank_raw",
    [
        RawTableLoad(
            WORLDBANK_INDICATORS,
            package_sql(__package__, "raw.sql"),
            lambda previous, settings, _: suites.raw_worldbank_indicators(
                previous, settings.years, settings.rowcount_tolerance, list(INDICATORS)
            ),
        )
    ],
    extract,
    source="worldbank",
    resource_key="worldbank",
    group=GROUP,
    deps=("ref.countries",),
    doc="World Bank population, GDP, R&D expenditure and researchers for the focus and mobility countries: "
    "the denominators of the normalised indices.",
)
