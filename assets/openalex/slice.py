"""The OpenAlex API slice as the definitions bind it."""

import dagster as dg

from assets.openalex.raw import openalex_raw
from assets.openalex.resource import OpenAlexResource
from pipeline.slices import SourceSlice, http_live_source

SLICE = SourceSlice(
    "openalex",
    assets=[openalex_raw],
    resources={
        # Secrets stay in the environment, read by Dagster when the run starts.
        "openalex": OpenAlexResource(api_key=dg.EnvVar("OPENALEX_API_KEY"), mailto=dg.EnvVar("OPENALEX_MAILTO"))
    },
    live=[
        http_live_source(
            "openalex",
            OpenAlexResource,
            "openalex_raw",
            required=("OPENALEX_API_KEY",),  # required by OpenAlex since 2026-02
            modes=("live",),  # snapshot mode reads works from disk
        )
    ],
)
