"""The DOT Socrata slice as the definitions bind it."""

import dagster as dg

from assets.soda.raw import soda_raw
from assets.soda.resource import SodaResource
from pipeline.slices import SourceSlice, http_live_source

SLICE = SourceSlice(
    "soda",
    assets=[soda_raw],
    # The app token is a secret: read from the environment by Dagster, never written into the code location.
    resources={"soda": SodaResource(app_token=dg.EnvVar("SODA_APP_TOKEN"))},
    live=[http_live_source("dot_soda", SodaResource, "soda_raw")],
)
