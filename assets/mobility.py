"""Student mobility: the UIS, OECD and Open Doors raw tables (their slices: assets/uis, assets/oecd,
assets/open_doors) → core → marts, each load gated; and the precedence of the sources.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets.common import core_asset, gated_tables, mart_asset, spec
from pipeline.mobility import suites
from pipeline.reference_rows import reference_load, with_provenance
from pipeline.settings import REPO_ROOT, RunSettings, repo_relative
from pipeline.warehouse import Warehouse

GROUP = "mobility"
PRECEDENCE_CSV = REPO_ROOT / "pipeline" / "reference" / "mobility_source_precedence.csv"
CORE_TABLES = {
    "core.student_mobility": suites.core_student_mobility,
    "core.mobile_students": suites.core_mobile_students,
}


@dg.multi_asset(
    specs=[spec("ref.mobility_source_precedence", "reference", kinds=("duckdb", "csv"))],
    pool="duckdb",
)
def reference_mobility_precedence(
    context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings
) -> Iterator:
    """Which mobility source wins when several give the same origin, destination and year."""
    frame = with_provenance(pl.read_csv(PRECEDENCE_CSV), repo_relative(PRECEDENCE_CSV))
    yield from gated_tables(
        context,
        warehouse,
        [reference_load("ref.mobility_source_precedence", "SELECT * FROM incoming_precedence")],
        settings=run_settings.get(),
        source=repo_relative(PRECEDENCE_CSV),
        frames={"incoming_precedence": frame},
    )


mobility_core = core_asset(
    "mobility_core",
    CORE_TABLES,
    ("raw.uis_records", "raw.oecd_observations", "raw.open_doors", "ref.countries", "ref.territory_map"),
    "Every mobility source in one shape: ISO-2 codes after the territory policy, current mode.",
    group=GROUP,
    source="mobility",
)

student_mobility = mart_asset(
    "mart.student_mobility",
    ("core.student_mobility",),
    suites.mart_student_mobility,
    "Mobile tertiary students per origin → destination, year and source, with yoy change and 2018 index.",
    group=GROUP,
    source="mobility",
    suite_settings=lambda settings: {"max_yoy": settings.mobility_max_yoy},
)
student_mobility_best = mart_asset(
    "mart.student_mobility_best",
    ("mart.student_mobility", "ref.mobility_source_precedence"),
    suites.mart_student_mobility_best,
    "One reconciled mobile-student count per origin → destination and year, the chosen source named.",
    group=GROUP,
    source="mobility",
)
mobile_students = mart_asset(
    "mart.mobile_students",
    ("core.mobile_students",),
    suites.mart_mobile_students,
    "Inbound and outbound mobile tertiary students per country and year (UIS totals).",
    group=GROUP,
    source="uis",
)
