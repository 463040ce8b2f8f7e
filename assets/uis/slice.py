"""The UIS slice as the definitions bind it."""

from assets.uis.raw import uis_raw
from assets.uis.resource import UisResource
from pipeline.slices import LiveSource, SourceSlice

SLICE = SourceSlice(
    "uis",
    assets=[uis_raw],
    resources={"uis": UisResource()},
    live=[
        LiveSource(
            "uis", frozenset({"uis_raw"}), ((UisResource.url_variable, UisResource.model_fields["base_url"].default),)
        )
    ],
)
