"""The OECD slice as the definitions bind it."""

from assets.oecd.raw import oecd_raw
from assets.oecd.resource import OecdResource
from pipeline.slices import LiveSource, SourceSlice

SLICE = SourceSlice(
    "oecd",
    assets=[oecd_raw],
    resources={"oecd": OecdResource()},
    live=[
        LiveSource(
            "oecd",
            frozenset({"oecd_raw"}),
            ((OecdResource.url_variable, OecdResource.model_fields["base_url"].default),),
        )
    ],
)
