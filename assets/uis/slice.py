"""The UIS slice as the definitions bind it."""

from assets.uis.raw import uis_raw
from assets.uis.resource import UisResource
from pipeline.slices import SourceSlice, http_live_source

SLICE = SourceSlice(
    "uis",
    assets=[uis_raw],
    resources={"uis": UisResource()},
    live=[http_live_source("uis", UisResource, "uis_raw")],
)
