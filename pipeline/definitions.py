"""The code location: every asset, check, schedule and resource, bound in one place."""

import dagster as dg

from assets import indices, papers, reference
from pipeline.resources import OpenAlexResource
from pipeline.warehouse import Warehouse

all_assets = dg.load_assets_from_modules([reference, papers, indices])

# Publication years that can still change: OpenAlex keeps adding and re-linking recent works, so
# the daily run re-extracts only the last COLLAB_REFRESH_YEARS years and rebuilds core and marts
# (cheap, set-based) from what the warehouse holds.
daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    target=dg.AssetSelection.all(),
    run_config=dg.RunConfig(ops={"openalex_raw": papers.OpenAlexExtractConfig(recent_only=True)}),
    description="Daily: re-extract recent publication years, rebuild core and marts.",
)

defs = dg.Definitions(
    assets=all_assets,
    schedules=[daily_refresh],
    resources={
        "warehouse": Warehouse(),
        "openalex": OpenAlexResource(
            base_url=dg.EnvVar("OPENALEX_BASE_URL"),
            api_key=dg.EnvVar("OPENALEX_API_KEY"),
            mailto=dg.EnvVar("OPENALEX_MAILTO"),
        ),
    },
    # Every step writes the one DuckDB file, so steps run one after another anyway; in-process
    # saves a subprocess and a Python start-up per step.
    executor=dg.in_process_executor,
)
