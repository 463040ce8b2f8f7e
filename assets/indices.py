"""Marts: the stable tables SQL consumers read. Each is one warehouse/mart/*.sql file.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import functools
from collections.abc import Callable, Iterator, Sequence

import dagster as dg

from assets.common import check_spec, gated_tables, spec
from pipeline import suites
from pipeline.dictionary import comments
from pipeline.settings import load_settings
from pipeline.validation import Suite
from pipeline.warehouse import TableLoad, Warehouse, sql_text


def mart_asset(
    table: str, deps: Sequence[str], suite_fn: Callable[[int, float], Sequence[Suite]], doc: str
) -> dg.AssetsDefinition:
    name = table.split(".")[1]

    @dg.multi_asset(
        name=f"mart_{name}", specs=[spec(table, "indices", deps=deps)], check_specs=[check_spec(table)], pool="duckdb"
    )
    def _mart(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
        settings = load_settings()
        yield from gated_tables(
            context,
            warehouse,
            [
                TableLoad(
                    table,
                    sql_text(f"mart/{name}.sql"),
                    functools.partial(suite_fn, tolerance=settings.rowcount_tolerance),
                    compare_scope="source_mode = getvariable('source_mode')",
                    comments=comments(table),
                )
            ],
            settings=settings,
            source=f"openalex ({settings.mode})",
            extra={
                "source_mode": dg.MetadataValue.text(settings.mode),
                "territory_policy": dg.MetadataValue.text(settings.territory_policy),
            },
        )

    _mart.__doc__ = doc
    return _mart


bilateral_papers = mart_asset(
    "mart.bilateral_papers",
    ("core.pair_year", "core.country_year", "core.world_year"),
    suites.mart_bilateral_papers,
    "Bilateral co-authorship indices for every ordered pair, year and paper set.",
)
country_papers = mart_asset(
    "mart.country_papers",
    ("core.country_year",),
    suites.mart_country_papers,
    "Full and fractional paper output per country, year and paper set.",
)
papers_quality = mart_asset(
    "mart.papers_quality",
    ("core.works", "core.authorship_affiliations", "core.work_country_shares", "core.work_countries"),
    suites.mart_papers_quality,
    "Data-quality figures of the paper records per year and source.",
)
