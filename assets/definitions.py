"""The code location: every source slice and every family's assets, checks, schedules and resources,
bound in one place. The top of the import graph: nothing imports it but Dagster and the tests."""

from pathlib import Path

import dagster as dg

from assets import context, dashboard, flights, indices, mobility, operations, papers, reference, snapshot
from assets.publish import published_warehouse, warehouse_tables
from assets.worldbank.slice import SLICE as WORLDBANK
from pipeline.preflight import preflight_in_process_executor
from pipeline.resources import (
    OecdResource,
    OpenAlexResource,
    OpenSkyResource,
    SodaResource,
    T100Files,
    UisResource,
)
from pipeline.settings import RunSettings, Settings
from pipeline.slices import LiveSource
from pipeline.warehouse import Warehouse

SLICES = [WORLDBANK]


def _default(resource: type, field: str) -> str:
    return resource.model_fields[field].default


def _t100_folder(settings: Settings) -> tuple[list[str], list[str]]:
    folder = settings.variable("T100_DIR")
    if folder and not Path(folder).is_dir():
        return [f"bts_t100: T100_DIR={folder} is not a directory"], []
    if not T100Files(directory_path=folder).directory(settings.mode).is_dir():
        return [], ["bts_t100: skipped, no folder (set T100_DIR to the folder of TranStats downloads)"]
    return [], []


def _snapshot_folder(settings: Settings) -> tuple[list[str], list[str]]:
    if not Path(settings.snapshot_dir or "").is_dir():
        return [f"openalex snapshot: OPENALEX_SNAPSHOT_DIR={settings.snapshot_dir} is not a directory"], []
    return [], []


# Live sources of the sources not yet in a slice of their own.
LEGACY_LIVE_SOURCES = [
    LiveSource(
        "openalex",
        frozenset({"openalex_raw"}),
        (("OPENALEX_BASE_URL", _default(OpenAlexResource, "base_url")),),
        required=("OPENALEX_API_KEY",),  # required by OpenAlex since 2026-02
        modes=("live",),  # snapshot mode reads works from disk
    ),
    LiveSource("uis", frozenset({"uis_raw"}), (("UIS_BASE_URL", _default(UisResource, "base_url")),)),
    LiveSource("oecd", frozenset({"oecd_raw"}), (("OECD_BASE_URL", _default(OecdResource, "base_url")),)),
    LiveSource("dot_soda", frozenset({"soda_raw"}), (("SODA_BASE_URL", _default(SodaResource, "base_url")),)),
    LiveSource(
        "opensky",
        frozenset({"opensky_raw"}),
        (
            ("OPENSKY_BASE_URL", _default(OpenSkyResource, "base_url")),
            ("OPENSKY_AUTH_URL", _default(OpenSkyResource, "auth_url")),
        ),
        required=("OPENSKY_CLIENT_SECRET",),
        enabled_by="OPENSKY_CLIENT_ID",
    ),
    LiveSource(
        "openalex snapshot",
        frozenset({"raw__openalex_snapshot_parts", "openalex_snapshot_works"}),
        modes=("snapshot",),
        local_check=_snapshot_folder,
    ),
    LiveSource("bts_t100", frozenset({"t100_raw"}), local_check=_t100_folder),
]
table_assets = [
    *dg.load_assets_from_modules([reference, papers, indices, mobility, flights, context, dashboard, snapshot]),
    *(asset for s in SLICES for asset in s.assets),
]
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

LIVE_SOURCES: list[LiveSource] = [*LEGACY_LIVE_SOURCES, *(live for s in SLICES for live in s.live)]

defs = dg.Definitions(
    assets=all_assets,
    schedules=[daily_refresh],
    asset_checks=operations.freshness_checks,
    jobs=[operations.freshness_job],
    sensors=[snapshot.openalex_snapshot_sensor, operations.alert_on_run_failure, operations.freshness_sensor],
    resources={
        "run_settings": RunSettings(),
        "warehouse": Warehouse(),
        **{key: resource for s in SLICES for key, resource in s.resources.items()},
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
    },
    # Every step writes the one DuckDB file, so steps run one after another anyway; in-process
    # saves a subprocess and a Python start-up per step. The preflight checks settings and the live
    # sources of the run's steps once, before the first step (pipeline.preflight).
    executor=preflight_in_process_executor(LIVE_SOURCES),
)
