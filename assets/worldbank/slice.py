"""The World Bank slice as the definitions bind it."""

from assets.worldbank.raw import worldbank_raw
from assets.worldbank.resource import WorldBankResource
from pipeline.slices import LiveSource, SourceSlice

SLICE = SourceSlice(
    "worldbank",
    assets=[worldbank_raw],
    resources={"worldbank": WorldBankResource()},
    live=[
        LiveSource(
            "worldbank",
            frozenset({"worldbank_raw"}),
            ((WorldBankResource.url_variable, WorldBankResource.model_fields["base_url"].default),),
        )
    ],
)
