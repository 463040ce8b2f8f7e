"""raw.openalex_works and raw.openalex_group_counts: OpenAlex works and counts, from the bundled sample
or the live API's cheap plan (the resource chooses); snapshot mode loads nothing here."""

import json
from datetime import UTC, datetime

import dagster as dg
import polars as pl
from pydantic import Field

from assets.common import RAW_SCOPE, ExtractContext, Extracted, RawTableLoad, raw_asset
from assets.openalex import suites
from assets.openalex.client import Group, WorkRecord
from assets.openalex.plan import GroupQuery
from assets.openalex.resource import OpenAlexSource
from assets.openalex.spend import KINDS, Spend, record_spend, utc_text
from assets.openalex.table import OPENALEX_GROUP_COUNTS, OPENALEX_WORKS
from pipeline.dictionary import comments
from pipeline.settings import Settings
from pipeline.warehouse import Warehouse, apply_comments, package_sql

GROUP = "papers"
SNAPSHOT_NOTE = "COLLAB_MODE=snapshot: works come from raw.openalex_snapshot_works; nothing loaded here"
TERRITORY_FAILURE = (
    "COLLAB_TERRITORY_POLICY merges territories, which group_by counts cannot follow (a CN+HK paper "
    "would count twice and stay international); use it in sample mode or keep 'separate' in live mode."
)
ISSNS_SQL = "SELECT list(issn ORDER BY issn) FROM ref.nature_index_issns GROUP BY journal ORDER BY journal"


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
    """Work objects as JSON text for openalex_works.sql, which parses them (one parse path for every mode)."""
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
        schema=OPENALEX_GROUP_COUNTS.incoming(),
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


def nature_index_issns(warehouse: Warehouse, settings: Settings) -> list[list[str]]:
    """Each Nature Index journal's ISSNs (the live plan's nature_index filters)."""
    with warehouse.connection(settings) as conn:
        return [r[0] for r in conn.execute(ISSNS_SQL).fetchall()]


def extract(run: ExtractContext) -> Extracted:
    settings, log = run.settings, run.context.log
    source: OpenAlexSource = run.source
    if settings.mode == "snapshot":
        return Extracted({}, skip_note=SNAPSHOT_NOTE)
    if settings.mode == "live" and settings.territory_policy != "separate":
        raise dg.Failure(TERRITORY_FAILURE)
    years = extraction_years(settings, run.config.recent_only)
    try:
        pulled = source.pull(settings, years, lambda: nature_index_issns(run.warehouse, settings), log)
    finally:
        # Recorded whether the extraction finished or stopped (a guard, a spent day): the money is gone
        # either way. The build copy keeps it until the next successful run publishes. The table exists in
        # every mode that extracts (None: created empty).
        spent = source.spend
        save_spend(run.warehouse, settings, run.context.run.run_id, spent)
        if spent is not None:
            calls = ", ".join(f"{spent.kinds[k].calls} {k}" for k in KINDS)
            log.info(f"OpenAlex spend: {spent.usd_text()} this run ({calls} calls); {spent.allowance_text()}")
    return Extracted(
        frames={
            "incoming_openalex_works": incoming_works_frame(pulled.records),
            "incoming_group_counts": group_counts_frame(pulled.groups),
        },
        metadata={
            "years_loaded": dg.MetadataValue.text(f"{years[0]}-{years[-1]}"),
            "truncated_refetched": dg.MetadataValue.int(sum(r.authors_refetched for r in pulled.records)),
            **{k: dg.MetadataValue.text(str(v)) for k, v in pulled.stats.items()},
            **(spend_metadata(spent) if spent is not None else {}),
        },
        variables={"scope_first": years[0], "scope_last": years[-1]},
        details={"years": (years[0], years[-1])},
    )


openalex_raw = raw_asset(
    "openalex_raw",
    [
        RawTableLoad(
            OPENALEX_WORKS,
            package_sql(__package__, "openalex_works.sql"),
            lambda previous, settings, extracted: suites.raw_openalex_works(
                previous, extracted.details["years"], settings.rowcount_tolerance
            ),
            scope=RAW_SCOPE.format(year="publication_year"),
        ),
        RawTableLoad(
            OPENALEX_GROUP_COUNTS,
            package_sql(__package__, "openalex_group_counts.sql"),
            lambda previous, settings, extracted: suites.raw_openalex_group_counts(
                previous, extracted.details["years"], settings.rowcount_tolerance, settings.mode == "live"
            ),
        ),
    ],
    extract,
    source="openalex",
    resource_key="openalex",
    group=GROUP,
    deps=("ref.nature_index_issns", "ref.countries"),
    config=OpenAlexExtractConfig,
    doc="Extract OpenAlex works and counts. Sample mode reads the bundled sample (every work, so every "
    "pair); live mode runs the cheap plan against the API (COLLAB_MODE=live). Snapshot mode reads works "
    "from the snapshot instead (raw.openalex_snapshot_works), so this step loads nothing.",
)
