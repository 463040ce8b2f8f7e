"""The code location: every asset, check, schedule and resource, bound in one place."""

import dagster as dg

from assets import context, dashboard, flights, indices, mobility, operations, papers, reference, snapshot
from assets.publish import published_warehouse, warehouse_tables
from pipeline.preflight import preflight_in_process_executor
from pipeline.resources import (
    OecdResource,
    OpenAlexResource,
    OpenSkyResource,
    SodaResource,
    T100Files,
    UisResource,
    WorldBankResource,
)
from pipeline.warehouse import Warehouse

table_assets = dg.load_assets_from_modules(
    [reference, papers, indices, mobility, flights, context, dashboard, snapshot]
)
# Runs write a build copy of the warehouse; the last step publishes it for readers (pipeline.publish).
all_assets = [*table_assets, published_warehouse(warehouse_tables(table_assets))]
# The snapshot's partitions are extracted by the sensor's runs (one per updated_date), not by the daily run.
UNPARTITIONED = dg.AssetSelection.all() - dg.AssetSelection.assets(snapshot.openalex_snapshot_parts)

# Publication years that can still change: OpenAlex keeps adding and re-linking recent works, so
# the daily run re-extracts only the last COLLAB_REFRESH_YEARS years and rebuilds core and marts
# (cheap, set-based) from what the warehouse holds.
daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    target=UNPARTITIONED,
    run_config=dg.RunConfig(ops={"openalex_raw": papers.OpenAlexExtractConfig(recent_only=True)}),
    description="Daily: re-extract recent publication years, rebuild core and marts.",
)

defs = dg.Definitions(
    assets=all_assets,
    schedules=[daily_refresh],
    asset_checks=operations.freshness_checks,
    jobs=[operations.freshness_job],
    sensors=[snapshot.openalex_snapshot_sensor, operations.alert_on_run_failure, operations.freshness_sensor],
    resources={
        "warehouse": Warehouse(),
        "openalex": OpenAlexResource(
            base_url=dg.EnvVar("OPENALEX_BASE_URL"),
            api_key=dg.EnvVar("OPENALEX_API_KEY"),
            mailto=dg.EnvVar("OPENALEX_MAILTO"),
        ),
        "uis": UisResource(base_url=dg.EnvVar("UIS_BASE_URL"), version=dg.EnvVar("UIS_VERSION")),
        "oecd": OecdResource(base_url=dg.EnvVar("OECD_BASE_URL")),
        "soda": SodaResource(base_url=dg.EnvVar("SODA_BASE_URL"), app_token=dg.EnvVar("SODA_APP_TOKEN")),
        "opensky": OpenSkyResource(
            base_url=dg.EnvVar("OPENSKY_BASE_URL"),
            auth_url=dg.EnvVar("OPENSKY_AUTH_URL"),
            client_id=dg.EnvVar("OPENSKY_CLIENT_ID"),
            client_secret=dg.EnvVar("OPENSKY_CLIENT_SECRET"),
        ),
        "t100": T100Files(directory_path=dg.EnvVar("T100_DIR")),
        "worldbank": WorldBankResource(base_url=dg.EnvVar("WORLDBANK_BASE_URL")),
    },
    # Every step writes the one DuckDB file, so steps run one after another anyway; in-process
    # saves a subprocess and a Python start-up per step. The preflight checks settings and the live
    # sources of the run's steps once, before the first step (pipeline.preflight).
    executor=preflight_in_process_executor,
)
