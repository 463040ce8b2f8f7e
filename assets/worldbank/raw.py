"""raw.worldbank_indicators: population, GDP, R&D spending and researchers for the focus and mobility
countries, the denominators of the normalised indices."""

import dagster as dg

from assets.common import ExtractContext, Extracted, slice_raw_asset, year_scoped
from assets.worldbank import suites
from assets.worldbank.client import INDICATORS
from assets.worldbank.table import WORLDBANK_INDICATORS
from pipeline.countries import iso3

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


worldbank_raw = slice_raw_asset(
    __package__,
    WORLDBANK_INDICATORS,
    year_scoped(suites.raw_worldbank_indicators, list(INDICATORS)),
    extract,
    group=GROUP,
    deps=("ref.countries",),
    doc="World Bank population, GDP, R&D expenditure and researchers for the focus and mobility countries: "
    "the denominators of the normalised indices.",
)
