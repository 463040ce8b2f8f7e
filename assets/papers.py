"""Papers: the OpenAlex works (API or snapshot) → core tables and counts, each load gated by
great-expectations. The raw loads live in their slices (assets/openalex/, assets/openalex_snapshot/).

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator

import dagster as dg

from assets.common import SuiteFn, check_spec, core_asset, core_loads, gated_tables, spec
from assets.openalex.plan import AUTHOR_CUT
from pipeline import suites
from pipeline.settings import RunSettings
from pipeline.warehouse import Warehouse

# Tables in build order, each with its great-expectations suite (None: validated through the
# tables built from it).
CORE_RECORD_TABLES: dict[str, SuiteFn | None] = {
    "core.work_records": None,
    "core.work_facts": None,
    "core.works": suites.core_works,
    "core.authorship_affiliations": suites.core_authorship_affiliations,
    "core.work_countries": suites.core_work_countries,
    "core.work_country_shares": suites.core_work_country_shares,
    "core.paper_set_works": None,
    "core.pair_joint_records": None,
}
COUNT_TABLES: dict[str, SuiteFn | None] = {
    "core.country_year": suites.core_country_year,
    "core.world_year": suites.core_world_year,
    "core.pair_year": suites.core_pair_year,
}
# Built after the counts, from the records, in every mode (its SQL says how the basis changes it).
BOOTSTRAP_TABLES: dict[str, SuiteFn | None] = {"core.pair_year_bootstrap": suites.core_pair_year_bootstrap}


openalex_core = core_asset(
    "openalex_core",
    CORE_RECORD_TABLES,
    (
        "raw.openalex_works",
        "raw.openalex_snapshot_works",
        "raw.openalex_snapshot_facts",
        "ref.territory_map",
        "ref.nature_index_issns",
    ),
    "Cleaned paper rows: per-work facts, universe decision, affiliation pieces, K(p), Share pieces s_c(p).",
    group="papers",
    source="openalex",
)


@dg.multi_asset(
    specs=[
        spec(
            t,
            "indices",
            deps=(
                "core.paper_set_works",
                "core.work_country_shares",
                "core.pair_joint_records",
                "raw.openalex_group_counts",
            ),
        )
        for t in (*COUNT_TABLES, *BOOTSTRAP_TABLES)
    ],
    check_specs=[check_spec(t) for t in (*COUNT_TABLES, *BOOTSTRAP_TABLES)],
    pool="duckdb",
)
def paper_counts(context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings) -> Iterator:
    """Counts per country, world and pair: from records in sample mode, from group_by in live mode;
    then bootstrap intervals of the pair indices from the paper records."""
    settings = run_settings.get()
    basis = "group_counts" if settings.mode == "live" else "records"
    yield from gated_tables(
        context,
        warehouse,
        [*core_loads(COUNT_TABLES, settings, f".{basis}.sql"), *core_loads(BOOTSTRAP_TABLES, settings)],
        settings=settings,
        source=f"openalex ({settings.mode})",
        extra={
            "count_basis": dg.MetadataValue.text(basis),
            "bootstrap_replicates": dg.MetadataValue.int(settings.bootstrap_replicates),
        },
        author_cut=AUTHOR_CUT,  # the group_by counts' blind spot, counted from records (macros/run.sql)
    )
