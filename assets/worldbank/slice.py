"""The World Bank slice as the definitions bind it."""

from assets.worldbank.raw import worldbank_raw
from assets.worldbank.resource import WorldBankResource
from pipeline.slices import SourceSlice, http_live_source

SLICE = SourceSlice(
    "worldbank",
    assets=[worldbank_raw],
    resources={"worldbank": WorldBankResource()},
    live=[http_live_source("worldbank", WorldBankResource, "worldbank_raw")],
)
