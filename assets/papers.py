"""Papers: OpenAlex records and counts → raw → core, each load gated by great-expectations.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import polars as pl
from pydantic import Field

from assets.common import RAW_SCOPE, SuiteFn, check_spec, core_asset, core_loads, gated_tables, not_loaded, spec
from pipeline import suites
from pipeline.dictionary import comments
from pipeline.openalex.client import Group, OpenAlexClient, OpenAlexHttp, WorkRecord
from pipeline.openalex.plan import (
    AUTHOR_CUT,
    GroupQuery,
    issn_chunks,
    plan_group_queries,
    plan_record_queries,
    universe_filters,
)
from pipeline.openalex.sample import SampleOpenAlex
from pipeline.openalex.spend import KINDS, Spend, record_spend, utc_text
from pipeline.resources import OpenAlexResource
from pipeline.settings import Settings, load_settings
from pipeline.warehouse import TableLoad, Warehouse, apply_comments, sql_text

RAW_TABLES = ("raw.openalex_works", "raw.openalex_group_counts")
# Tables in build order, each with its great-expectations suite (None: validated through the
# tables built from it).
CORE_RECORD_TABLES: dict[str, SuiteFn | None] = {
    "core.work_records": None,
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


class OpenAlexExtractConfig(dg.Config):
    recent_only: bool = Field(
        default=False,
        description="Refresh only the last COLLAB_REFRESH_YEARS publication years of COLLAB_YEARS "
        "(what the daily schedule does); older years keep their last load.",
    )


def extraction_years(settings: Settings, recent_only: bool) -> list[int]:
    years = settings.year_list
    return years[-settings.refresh_years :] if recent_only else years


def incoming_works_frame(records: list[WorkRecord]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "json_text": [json.dumps(r.payload, ensure_ascii=False) for r in records],
            "request": [r.request for r in records],
            "authors_refetched": [r.authors_refetched for r in records],
            "retrieved_at": [r.retrieved_at for r in records],
        },
        schema={
            "json_text": pl.String,
            "request": pl.String,
            "authors_refetched": pl.Boolean,
            "retrieved_at": pl.Datetime("us", "UTC"),
        },
    )


def group_counts_frame(rows: list[tuple[GroupQuery, Group]]) -> pl.DataFrame:
    schema = {
        "query_kind": pl.String,
        "paper_set": pl.String,
        "year": pl.Int32,
        "intl_only": pl.Boolean,
        "filter_country": pl.String,
        "group_field": pl.String,
        "key": pl.String,
        "key_display_name": pl.String,
        "count": pl.Int64,
        "request": pl.String,
        "retrieved_at": pl.Datetime("us", "UTC"),
    }
    return pl.DataFrame(
        [
            (
                q.query_kind,
                q.paper_set,
                int(g.key) if q.year is None else q.year,
                q.intl_only,
                q.filter_country,
                q.group_field,
                g.key,
                g.display_name,
                g.count,
                g.request,
                g.retrieved_at,
            )
            for q, g in rows
        ],
        schema=schema,
        orient="row",
    )


def spend_metadata(spend: Spend) -> dict[str, dg.MetadataValue]:
    """The run's OpenAlex calls by kind and their cost in USD, as materialisation metadata ("unknown" where
    the answers did not say)."""

    def money(value: object) -> dg.MetadataValue:
        return dg.MetadataValue.float(float(value)) if value is not None else dg.MetadataValue.text("unknown")

    return {
        **{f"openalex_calls_{k}": dg.MetadataValue.int(spend.kinds[k].calls) for k in KINDS},
        "openalex_usd_spent": money(None if spend.unpriced else spend.spent_usd),
        "openalex_usd_spent_note": dg.MetadataValue.text(spend.usd_text()),
        "openalex_usd_remaining": money(spend.remaining_usd),
        "openalex_usd_limit": money(spend.limit_usd),
        "openalex_budget_usd": money(spend.budget_usd),
        "openalex_budget_resets_at": dg.MetadataValue.text(utc_text(spend.resets_at)),
    }


def save_spend(warehouse: Warehouse, settings: Settings, run_id: str, spend: Spend | None) -> None:
    """meta.openalex_spend in the build copy (write-audit-publish: the run's last step publishes it)."""
    with warehouse.connection(settings) as conn:
        record_spend(conn, run_id, spend, datetime.now(UTC))
        apply_comments(conn, "meta.openalex_spend", comments("meta.openalex_spend"))


def fetch_live(
    settings: Settings,
    years: list[int],
    openalex: OpenAlexResource,
    client: OpenAlexClient,
    issns: list[list[str]],
    log: dg.DagsterLogManager,
) -> tuple[list[WorkRecord], list[tuple[GroupQuery, Group]], dict]:
    """Run the cheap plan: group_by counts for pairs with a focus country over works with at most 100
    authors; records for focus pairs and for every work with more than 100 authors."""
    universe = universe_filters(settings.work_types, settings.exclude_paratext, settings.exclude_retracted)
    group_queries = plan_group_queries(settings, years, universe, issn_chunks(issns, openalex.issn_chunk_size))
    record_queries = plan_record_queries(settings, years, universe)
    log.info(f"OpenAlex live plan: {len(group_queries)} group_by queries, {len(record_queries)} record queries")
    works: dict[str, WorkRecord] = {}
    for rq in record_queries:
        for record in client.fetch_works(rq.filters):
            works.setdefault(record.payload["id"], record)  # a 3-country paper is joint to several pairs
    groups = [(q, g) for q in group_queries for g in client.group_by(q.filters, q.group_field)]
    stats = {
        "http_calls": client.http.calls,
        "billed_calls": client.http.billed_calls,
        "http_retries": client.http.retries,
        "call_budget": openalex.call_budget,
        "group_by_queries": len(group_queries),
        "record_queries": len(record_queries),
    }
    return list(works.values()), groups, stats


@dg.multi_asset(
    specs=[
        spec(t, "papers", deps=("ref.nature_index_issns", "ref.countries"), kinds=("duckdb", "python"))
        for t in RAW_TABLES
    ],
    check_specs=[check_spec(t) for t in RAW_TABLES],
    pool="duckdb",
)
def openalex_raw(
    context: dg.AssetExecutionContext, config: OpenAlexExtractConfig, warehouse: Warehouse, openalex: OpenAlexResource
) -> Iterator:
    """Extract OpenAlex works and counts. Sample mode reads the bundled sample (every work, so every
    pair); live mode runs the cheap plan against the API (COLLAB_MODE=live). Snapshot mode reads works
    from the snapshot instead (raw.openalex_snapshot_works), so this step loads nothing."""
    settings = load_settings()
    years = extraction_years(settings, config.recent_only)
    if settings.mode == "snapshot":
        note = "COLLAB_MODE=snapshot: works come from raw.openalex_snapshot_works; nothing loaded here"
        yield from not_loaded(RAW_TABLES, "snapshot", note)
        return
    if settings.mode == "live" and settings.territory_policy != "separate":
        raise dg.Failure(
            "COLLAB_TERRITORY_POLICY merges territories, which group_by counts cannot follow (a CN+HK paper "
            "would count twice and stay international); use it in sample mode or keep 'separate' in live mode."
        )
    if settings.mode == "sample":
        records, groups, stats = SampleOpenAlex().fetch_works(years), [], {"http_calls": 0}
        save_spend(warehouse, settings, context.run.run_id, None)  # the table exists in every mode
        spend_extra = {}
    else:
        with warehouse.connection(settings) as conn:
            issns = conn.execute(
                "SELECT list(issn ORDER BY issn) FROM ref.nature_index_issns GROUP BY journal ORDER BY journal"
            ).fetchall()
        client = openalex.client()
        try:
            records, groups, stats = fetch_live(settings, years, openalex, client, [r[0] for r in issns], context.log)
        finally:
            # Recorded whether the extraction finished or stopped (a guard, a spent day): the money is gone
            # either way. The build copy keeps it until the next successful run publishes.
            spend = client.http.spend if isinstance(client.http, OpenAlexHttp) else Spend()
            save_spend(warehouse, settings, context.run.run_id, spend)
            calls = ", ".join(f"{spend.kinds[k].calls} {k}" for k in KINDS)
            context.log.info(f"OpenAlex spend: {spend.usd_text()} this run ({calls} calls); {spend.allowance_text()}")
        spend_extra = spend_metadata(spend)
    span, tolerance, live = (years[0], years[-1]), settings.rowcount_tolerance, settings.mode == "live"
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.openalex_works",
                sql_text("raw/openalex_works.sql"),
                lambda prev: suites.raw_openalex_works(prev, span, tolerance),
                scope=RAW_SCOPE.format(year="publication_year"),
                comments=comments("raw.openalex_works"),
            ),
            TableLoad(
                "raw.openalex_group_counts",
                sql_text("raw/openalex_group_counts.sql"),
                lambda prev: suites.raw_openalex_group_counts(prev, span, tolerance, live),
                scope=RAW_SCOPE.format(year="year"),
                comments=comments("raw.openalex_group_counts"),
            ),
        ],
        settings=settings,
        source=f"openalex ({settings.mode})",
        frames={
            "incoming_openalex_works": incoming_works_frame(records),
            "incoming_group_counts": group_counts_frame(groups),
        },
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "years_loaded": dg.MetadataValue.text(f"{years[0]}-{years[-1]}"),
            "truncated_refetched": dg.MetadataValue.int(sum(r.authors_refetched for r in records)),
            **{k: dg.MetadataValue.text(str(v)) for k, v in stats.items()},
            **spend_extra,
        },
        scope_first=years[0],
        scope_last=years[-1],
    )


openalex_core = core_asset(
    "openalex_core",
    CORE_RECORD_TABLES,
    ("raw.openalex_works", "raw.openalex_snapshot_works", "ref.territory_map", "ref.nature_index_issns"),
    "Cleaned paper rows: universe decision, affiliation pieces, K(p), Share pieces s_c(p).",
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
def paper_counts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """Counts per country, world and pair: from records in sample mode, from group_by in live mode;
    then bootstrap intervals of the pair indices from the paper records."""
    settings = load_settings()
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
