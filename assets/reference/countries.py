"""ref.countries and ref.territory_map: ISO 3166-1 countries (pycountry) and the territory policies.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator
from importlib.metadata import version

import dagster as dg
import polars as pl
import pycountry

from assets.common import check_spec, gated_tables, spec
from assets.reference import suites
from pipeline.reference_rows import reference_load, with_provenance
from pipeline.settings import TERRITORY_POLICIES, RunSettings
from pipeline.validation import EXTRA_COUNTRY_CODES
from pipeline.warehouse import Warehouse

COUNTRY_TABLES = ("ref.countries", "ref.territory_map")


def countries_frame() -> pl.DataFrame:
    rows = [(c.alpha_2, c.alpha_3, c.numeric, c.name) for c in pycountry.countries]
    rows += [(code, None, None, "Kosovo") for code in EXTRA_COUNTRY_CODES]
    frame = pl.DataFrame(rows, schema=["iso2", "iso3", "numeric", "name"], orient="row")
    return with_provenance(frame, f"pycountry {version('pycountry')}")


def territory_frame() -> pl.DataFrame:
    rows = [(policy, src, dst) for policy, mapping in TERRITORY_POLICIES.items() for src, dst in mapping.items()]
    frame = pl.DataFrame(rows, schema=["policy", "from_code", "to_code"], orient="row")
    return with_provenance(frame, "pipeline.settings.TERRITORY_POLICIES")


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "python")) for t in COUNTRY_TABLES],
    check_specs=[check_spec("ref.countries")],
    pool="duckdb",
)
def reference_countries(context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings) -> Iterator:
    """ISO 3166-1 countries from pycountry and the territory policies (HK/MO/TW)."""
    yield from gated_tables(
        context,
        warehouse,
        [
            reference_load("ref.countries", "SELECT * FROM incoming_countries", suites.countries),
            reference_load("ref.territory_map", "SELECT * FROM incoming_territory"),
        ],
        settings=run_settings.get(),
        source="pycountry",
        frames={"incoming_countries": countries_frame(), "incoming_territory": territory_frame()},
    )
