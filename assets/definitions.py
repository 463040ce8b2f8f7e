"""The code location: every source slice and every family's assets, checks, schedules and resources,
bound in one place. The top of the import graph: nothing imports it but Dagster and the tests."""

import dagster as dg

from assets import context, dashboard, fields, flights, indices, mobility, operations, papers, ties
from assets.openalex.raw import OpenAlexExtractConfig
from assets.publish import published_warehouse, warehouse_tables
from pipeline.preflight import preflight_in_process_executor
from pipeline.settings import RunSettings
from pipeline.slices import LiveSource, discover
from pipeline.warehouse import Warehouse

# Every source slice: the folders under assets/ with a slice.py (pipeline.slices.discover).
SLICES = discover("assets")
table_assets = [
    *dg.load_assets_from_modules([papers, indices, fields, ties, mobility, flights, context, dashboard]),
    *(asset for s in SLICES for asset in s.assets),
]
# Runs write a build copy of the warehouse; the last step publishes it for readers (pipeline.publish).
all_assets = [*table_assets, published_warehouse(warehouse_tables(table_assets))]
# The snapshot's partitions are extracted by the sensor's runs (one per updated_date), not by the daily run.
UNPARTITIONED = dg.AssetSelection.all() - dg.AssetSelection.assets(*(a for a in all_assets if a.partitions_def))

# Publication years that can still change: OpenAlex keeps adding and re-linking recent works, so
# the daily run re-extracts only the last COLLAB_REFRESH_YEARS years and rebuilds core and marts
# (cheap, set-based) from what the warehouse holds.
daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    target=UNPARTITIONED,
    run_config=dg.RunConfig(ops={"openalex_raw": OpenAlexExtractConfig(recent_only=True)}),
    description="Daily: re-extract recent publication years, rebuild core and marts.",
    # It writes the warehouse, so on a Celery cluster (deploy/celery) it goes to the worker on the warehouse's
    # host, which serves this queue; the local run launcher ignores the tag.
    tags={"dagster-celery/queue": "warehouse"},
)

LIVE_SOURCES: list[LiveSource] = [live for s in SLICES for live in s.live]

defs = dg.Definitions(
    assets=all_assets,
    schedules=[daily_refresh],
    asset_checks=operations.freshness_checks,
    jobs=[operations.freshness_job],
    sensors=[*(x for s in SLICES for x in s.sensors), operations.alert_on_run_failure, operations.freshness_sensor],
    resources={
        "run_settings": RunSettings(),
        "warehouse": Warehouse(),
        **{key: resource for s in SLICES for key, resource in s.resources.items()},
    },
    # Every step writes the one DuckDB file, so steps run one after another anyway; in-process
    # saves a subprocess and a Python start-up per step. The preflight checks settings and the live
    # sources of the run's steps once, before the first step (pipeline.preflight).
    executor=preflight_in_process_executor(LIVE_SOURCES),
)
