"""The OECD slice as the definitions bind it."""

from assets.oecd.raw import oecd_raw
from assets.oecd.resource import OecdResource
from pipeline.slices import SourceSlice, http_live_source

SLICE = SourceSlice(
    "oecd",
    assets=[oecd_raw],
    resources={"oecd": OecdResource()},
    live=[http_live_source("oecd", OecdResource, "oecd_raw")],
)
