"""Student mobility: UIS, OECD and Open Doors → raw → core → marts, each load gated.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import dagster as dg
import polars as pl

from assets.common import RAW_SCOPE, check_spec, core_asset, gated_tables, mart_asset, records_frame, spec
from assets.reference import REFERENCE_STAMP, with_provenance
from pipeline.countries import iso3
from pipeline.dictionary import comments
from pipeline.http import SourceError
from pipeline.mobility import open_doors, suites
from pipeline.mobility.oecd import OecdObservation, SampleOecd
from pipeline.mobility.uis import HINT_UNKNOWN_INDICATOR, INBOUND_TOTAL, OUTBOUND_TOTAL, SOURCE, SampleUis, UisRecord
from pipeline.resources import OecdResource, UisResource
from pipeline.settings import REPO_ROOT, Settings, load_settings, repo_relative
from pipeline.warehouse import TableLoad, Warehouse, sql_text

GROUP = "mobility"
PRECEDENCE_CSV = REPO_ROOT / "pipeline" / "reference" / "mobility_source_precedence.csv"
CORE_TABLES = {
    "core.student_mobility": suites.core_student_mobility,
    "core.mobile_students": suites.core_mobile_students,
}


def mobility_countries(settings: Settings) -> tuple[list[str], list[str]]:
    """(origins, destinations) in ISO-3: the focus countries are origins; every configured country
    (focus included) is a destination, so CN→US and US→CN both come in."""
    destinations = tuple(dict.fromkeys(settings.mobility_countries + settings.focus))
    return iso3(settings.focus), iso3(destinations)


UIS_SCHEMA = {
    "indicator_id": pl.String,
    "geo_unit": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "magnitude": pl.String,
    "qualifier": pl.String,
    "request": pl.String,
    "retrieved_at": pl.Datetime("us", "UTC"),
}
OECD_SCHEMA = {
    "destination_iso3": pl.String,
    "origin_iso3": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "obs_status": pl.String,
    "unit_mult": pl.Int32,
    "request": pl.String,
    "retrieved_at": pl.Datetime("us", "UTC"),
}


def uis_frame(records: list[UisRecord], kinds: dict[str, tuple[str, str | None]], version: str) -> pl.DataFrame:
    """UIS records with the kind and origin of their indicator and the pinned data version."""
    indicator = pl.col("indicator_id")
    return records_frame(records, UIS_SCHEMA).with_columns(
        indicator.replace_strict({k: v[0] for k, v in kinds.items()}, return_dtype=pl.String).alias("indicator_kind"),
        indicator.replace_strict({k: v[1] for k, v in kinds.items()}, return_dtype=pl.String).alias("origin_iso3"),
        pl.lit(version, dtype=pl.String).alias("source_version"),
    )


@dg.multi_asset(
    specs=[spec("raw.uis_records", GROUP, deps=("ref.countries",), kinds=("duckdb", "python"))],
    check_specs=[check_spec("raw.uis_records")],
    pool="duckdb",
)
def uis_raw(context: dg.AssetExecutionContext, warehouse: Warehouse, uis: UisResource) -> Iterator:
    """UNESCO UIS: inbound/outbound mobile-student totals and the bilateral origin→destination series
    it publishes, pinned to one data version (UIS_VERSION, else the current default, recorded)."""
    settings = load_settings()
    client = SampleUis() if settings.mode == "sample" else uis.client()
    version_info = client.default_version()
    version = uis.version or version_info.version
    origins, destinations = mobility_countries(settings)
    first, last = settings.years
    bilateral = client.bilateral_indicators(client.indicators(), origins)
    if not bilateral:
        context.log.warning(f"UIS publishes no bilateral indicator for origins {origins} in version {version}")
    kinds: dict[str, tuple[str, str | None]] = {
        INBOUND_TOTAL: ("inbound_total", None),
        OUTBOUND_TOTAL: ("outbound_total", None),
        **{b.indicator_id: ("bilateral", b.origin_iso3) for b in bilateral},
    }
    totals = client.fetch([INBOUND_TOTAL, OUTBOUND_TOTAL], destinations, first, last, version)
    pairs = client.fetch([b.indicator_id for b in bilateral], destinations, first, last, version) if bilateral else None
    records = totals.records + (pairs.records if pairs else [])
    hints = totals.hints + (pairs.hints if pairs else [])
    unknown = [h for h in hints if h.get("code") == HINT_UNKNOWN_INDICATOR]
    if unknown:
        # We ask only for known or just-discovered ids: an unknown one means UIS renamed or withdrew
        # it, and loading on would silently drop that series.
        raise SourceError(
            SOURCE, "unknown indicator", record=unknown[0].get("message"), request=unknown[0].get("request")
        )
    for hint in hints:
        context.log.warning(f"UIS hint: {hint}")
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.uis_records",
                sql_text("raw/uis_records.sql"),
                lambda prev: suites.raw_uis_records(prev, settings.years, settings.rowcount_tolerance),
                scope=RAW_SCOPE.format(year="year"),
                comments=comments("raw.uis_records"),
            )
        ],
        settings=settings,
        source=f"uis ({settings.mode})",
        frames={"incoming_uis_records": uis_frame(records, kinds, version)},
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "uis_version": dg.MetadataValue.text(version),
            "uis_publication_date": dg.MetadataValue.text(str(version_info.publication_date)),
            "bilateral_indicators": dg.MetadataValue.json(
                [{"id": b.indicator_id, "origin": b.origin_iso3, "name": b.name} for b in bilateral]
            ),
            "hints": dg.MetadataValue.json(hints),
            "http_requests": dg.MetadataValue.int(totals.requests + (pairs.requests if pairs else 0)),
        },
        scope_first=first,
        scope_last=last,
    )


def oecd_frame(observations: list[OecdObservation], dataflow: str, valid_from: str | None) -> pl.DataFrame:
    """OECD observations with their dimension codes as JSON, the dataflow and its ValidFrom."""
    return records_frame(observations, OECD_SCHEMA).with_columns(
        pl.Series("dimensions", [json.dumps(o.dimensions, sort_keys=True) for o in observations], dtype=pl.String),
        pl.lit(dataflow, dtype=pl.String).alias("dataflow"),
        pl.lit(valid_from, dtype=pl.String).alias("source_version"),
    )


@dg.multi_asset(
    specs=[spec("raw.oecd_observations", GROUP, deps=("ref.countries",), kinds=("duckdb", "python"))],
    check_specs=[check_spec("raw.oecd_observations")],
    pool="duckdb",
)
def oecd_raw(context: dg.AssetExecutionContext, warehouse: Warehouse, oecd: OecdResource) -> Iterator:
    """OECD Education at a Glance: international tertiary students by origin and destination (SDMX).
    The data download is skipped when the dataflow's content constraint ValidFrom is the one already
    loaded: the OECD allows only a few downloads an hour."""
    settings = load_settings()
    client = SampleOecd() if settings.mode == "sample" else oecd.client()
    dataflow = client.mobility_dataflow(oecd.agency, oecd.dataflow or None)
    flow_ref = f"{dataflow.agency}:{dataflow.id}({dataflow.version})"
    valid_from = client.valid_from(dataflow)
    origins, destinations = mobility_countries(settings)
    first, last = settings.years
    with warehouse.connection(settings) as conn:
        stored = conn.execute(
            "SELECT DISTINCT source_version FROM raw.oecd_observations WHERE source_mode = ? AND dataflow = ? "
            "AND year BETWEEN ? AND ?",
            [settings.mode, flow_ref, first, last],
        ).fetchall()
        cached = valid_from is not None and stored == [(valid_from,)]
        if cached:
            # Same ValidFrom: the rows we hold are the current data; reload them through the gate.
            kept = conn.sql(
                "SELECT * EXCLUDE (source, source_mode, load_id) FROM raw.oecd_observations "
                "WHERE source_mode = ? AND dataflow = ? AND year BETWEEN ? AND ?",
                params=[settings.mode, flow_ref, first, last],
            ).pl()
    if cached:
        frame = kept.with_columns(pl.col("dimensions").cast(pl.String))
        context.log.info(f"OECD {flow_ref} unchanged since ValidFrom {valid_from}: download skipped")
    else:
        fetched = client.observations(dataflow, destinations, origins, first, last)
        frame = oecd_frame(fetched.observations, flow_ref, valid_from)
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.oecd_observations",
                sql_text("raw/oecd_observations.sql"),
                lambda prev: suites.raw_oecd_observations(prev, settings.years, settings.rowcount_tolerance),
                scope=RAW_SCOPE.format(year="year"),
                comments=comments("raw.oecd_observations"),
            )
        ],
        settings=settings,
        source=f"oecd ({settings.mode})",
        frames={"incoming_oecd_observations": frame},
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "dataflow": dg.MetadataValue.text(flow_ref),
            "valid_from": dg.MetadataValue.text(str(valid_from)),
            "download_skipped": dg.MetadataValue.bool(cached),
        },
        scope_first=first,
        scope_last=last,
    )


def seed_version(path: str | None = None) -> str:
    seed = open_doors.SEED_CSV if path is None else REPO_ROOT / path
    return f"{seed.name}@{hashlib.sha256(seed.read_bytes()).hexdigest()[:12]}"


@dg.multi_asset(
    specs=[spec("raw.open_doors", GROUP, kinds=("duckdb", "csv"))],
    check_specs=[check_spec("raw.open_doors")],
    pool="duckdb",
)
def open_doors_raw(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """IIE Open Doors: published counts of students from China in US higher education, by academic
    year, from the versioned seed CSV (IIE has no API). Real figures in every mode."""
    settings = load_settings()
    frame = open_doors.read_seed().with_columns(
        pl.lit(seed_version()).alias("source_version"),
        pl.lit(datetime.now(UTC)).alias("retrieved_at"),
    )
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.open_doors",
                sql_text("raw/open_doors.sql"),
                lambda prev: suites.raw_open_doors(prev, date.today().year),
                comments=comments("raw.open_doors"),
                keep_unless_changed=("retrieved_at", "load_id"),
            )
        ],
        settings=settings,
        source=f"iie_open_doors seed ({repo_relative(open_doors.SEED_CSV)})",
        frames={"incoming_open_doors": frame},
        extra={"seed": dg.MetadataValue.path(repo_relative(open_doors.SEED_CSV))},
    )


@dg.multi_asset(
    specs=[spec("ref.mobility_source_precedence", "reference", kinds=("duckdb", "csv"))],
    pool="duckdb",
)
def reference_mobility_precedence(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """Which mobility source wins when several give the same origin, destination and year."""
    frame = with_provenance(pl.read_csv(PRECEDENCE_CSV), repo_relative(PRECEDENCE_CSV))
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "ref.mobility_source_precedence",
                "SELECT * FROM incoming_precedence",
                comments=comments("ref.mobility_source_precedence"),
                keep_unless_changed=REFERENCE_STAMP,
            )
        ],
        settings=load_settings(),
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
