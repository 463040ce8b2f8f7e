"""ref.airports and ref.university_towns: airports (airportsdata) and the curated university-town and
control airports.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import airportsdata
import dagster as dg
import polars as pl

from assets.common import check_spec, gated_tables, spec
from assets.reference import suites
from pipeline.flights import suites as flight_suites
from pipeline.reference_rows import reference_load, with_provenance
from pipeline.settings import REPO_ROOT, RunSettings, repo_relative
from pipeline.warehouse import Warehouse, package_sql

AIRPORT_TABLES = ("ref.airports", "ref.university_towns")
# The CSV stays beside the other curated lists: its path is recorded in every row's `source`.
UNIVERSITY_TOWNS_CSV = REPO_ROOT / "pipeline" / "reference" / "university_towns.csv"


def airports_frame() -> pl.DataFrame:
    """Every airport with an IATA code (airportsdata): T-100 and DOT speak IATA, OpenSky ICAO."""
    frame = pl.DataFrame(list(airportsdata.load("IATA").values())).select(
        "iata", pl.col("icao").replace("", None), "name", "city", "subd", "country", "lat", "lon", "tz"
    )
    return with_provenance(frame, f"airportsdata {version('airportsdata')}")


def towns_frame(path: Path = UNIVERSITY_TOWNS_CSV) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("university_lat", "university_lon").cast(pl.Float64),
        pl.col("gateway_iata").replace("", None),
    )
    return with_provenance(frame, repo_relative(path))


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "python")) for t in AIRPORT_TABLES],
    check_specs=[check_spec(t) for t in AIRPORT_TABLES],
    pool="duckdb",
)
def reference_airports(context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings) -> Iterator:
    """Airports (airportsdata) and the curated university-town and control airports, with the
    great-circle distance from each university to its airport."""
    yield from gated_tables(
        context,
        warehouse,
        [
            reference_load("ref.airports", "SELECT * FROM incoming_airports", suites.airports),
            reference_load(
                "ref.university_towns",
                package_sql(__package__, "university_towns.sql"),
                flight_suites.ref_university_towns,
            ),
        ],
        settings=run_settings.get(),
        source="airportsdata + university_towns.csv",
        frames={"incoming_airports": airports_frame(), "incoming_towns": towns_frame()},
    )
