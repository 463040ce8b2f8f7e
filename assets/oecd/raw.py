"""raw.oecd_observations: OECD Education at a Glance, international tertiary students by origin and
destination (SDMX). The data download is skipped while the dataflow's ValidFrom is the one loaded."""

import json

import dagster as dg
import polars as pl

from assets.common import ExtractContext, Extracted, slice_raw_asset, year_scoped
from assets.oecd import suites
from assets.oecd.client import OecdObservation
from assets.oecd.table import ADDED_BY_ASSET, OECD_OBSERVATIONS
from pipeline.countries import mobility_countries

GROUP = "mobility"


def oecd_frame(observations: list[OecdObservation], dataflow: str, valid_from: str | None) -> pl.DataFrame:
    """OECD observations with their dimension codes as JSON, the dataflow and its ValidFrom."""
    return OECD_OBSERVATIONS.frame(observations, exclude=ADDED_BY_ASSET).with_columns(
        pl.Series("dimensions", [json.dumps(o.dimensions, sort_keys=True) for o in observations], dtype=pl.String),
        pl.lit(dataflow, dtype=pl.String).alias("dataflow"),
        pl.lit(valid_from, dtype=pl.String).alias("source_version"),
    )


def unchanged_rows(run: ExtractContext, flow_ref: str, valid_from: str | None) -> pl.DataFrame | None:
    """The rows held for this mode, dataflow and years when they all carry this ValidFrom (the data have
    not changed since: reloaded through the gate instead of downloaded); None otherwise."""
    settings = run.settings
    first, last = settings.years
    with run.warehouse.connection(settings) as conn:
        stored = conn.execute(
            "SELECT DISTINCT source_version FROM raw.oecd_observations WHERE source_mode = ? AND dataflow = ? "
            "AND year BETWEEN ? AND ?",
            [settings.mode, flow_ref, first, last],
        ).fetchall()
        if valid_from is None or stored != [(valid_from,)]:
            return None
        kept = conn.sql(
            "SELECT * EXCLUDE (source, source_mode, load_id) FROM raw.oecd_observations "
            "WHERE source_mode = ? AND dataflow = ? AND year BETWEEN ? AND ?",
            params=[settings.mode, flow_ref, first, last],
        ).pl()
    return kept.with_columns(pl.col("dimensions").cast(pl.String))


def extract(run: ExtractContext) -> Extracted:
    client = run.source
    dataflow = client.mobility_dataflow(client.agency, client.dataflow_override or None)
    flow_ref = f"{dataflow.agency}:{dataflow.id}({dataflow.version})"
    valid_from = client.valid_from(dataflow)
    frame = unchanged_rows(run, flow_ref, valid_from)
    cached = frame is not None
    if cached:
        run.context.log.info(f"OECD {flow_ref} unchanged since ValidFrom {valid_from}: download skipped")
    else:
        origins, destinations = mobility_countries(run.settings)
        fetched = client.observations(dataflow, destinations, origins, *run.settings.years)
        frame = oecd_frame(list(fetched.observations), flow_ref, valid_from)
    return Extracted(
        frames={"incoming_oecd_observations": frame},
        metadata={
            "dataflow": dg.MetadataValue.text(flow_ref),
            "valid_from": dg.MetadataValue.text(str(valid_from)),
            "download_skipped": dg.MetadataValue.bool(cached),
        },
    )


oecd_raw = slice_raw_asset(
    __package__,
    OECD_OBSERVATIONS,
    year_scoped(suites.raw_oecd_observations),
    extract,
    group=GROUP,
    deps=("ref.countries",),
    doc="OECD Education at a Glance: international tertiary students by origin and destination (SDMX). "
    "The data download is skipped when the dataflow's content constraint ValidFrom is the one already "
    "loaded: the OECD allows only a few downloads an hour.",
)
