"""The OpenSky slice as the definitions bind it."""

import dagster as dg

from assets.opensky.raw import opensky_raw
from assets.opensky.resource import OpenSkyResource
from pipeline.slices import SourceSlice, http_live_source

SLICE = SourceSlice(
    "opensky",
    assets=[opensky_raw],
    # The API client's id and secret are secrets: read from the environment by Dagster.
    resources={
        "opensky": OpenSkyResource(
            client_id=dg.EnvVar("OPENSKY_CLIENT_ID"), client_secret=dg.EnvVar("OPENSKY_CLIENT_SECRET")
        )
    },
    live=[
        http_live_source(
            "opensky",
            OpenSkyResource,
            "opensky_raw",
            required=("OPENSKY_CLIENT_SECRET",),
            enabled_by="OPENSKY_CLIENT_ID",
        )
    ],
)
