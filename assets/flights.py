"""Flight-arrival proxies: T-100 files, DOT Socrata, OpenSky → raw → core → marts, each load gated.

What is measured (passengers to US gateways, flights into town airports) and what is modelled
(passengers reaching university towns) stays apart in every table and column name.
No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import Field

from assets.common import RAW_SCOPE, check_spec, core_asset, gated_tables, mart_asset, records_frame, spec
from pipeline.dictionary import comments
from pipeline.flights import suites
from pipeline.flights.opensky import SampleOpenSky
from pipeline.flights.soda import SampleSoda, SodaRow
from pipeline.flights.t100 import PASSENGER_CLASSES, SOURCE_INTERNATIONAL, T100File, discover, read_t100
from pipeline.http import SourceError
from pipeline.resources import OpenSkyResource, SodaResource, T100Files
from pipeline.settings import load_settings
from pipeline.warehouse import TableLoad, Warehouse, sql_text

GROUP = "flights"
T100_TABLES = ("raw.t100_files", "raw.t100_segments")
CORE_TABLES = {
    "core.international_arrivals": suites.core_international_arrivals,
    "core.domestic_legs": suites.core_domestic_legs,
}
# Origin airports asked of the DOT dataset: the focus countries' airports with scheduled US service.
SODA_COUNTRIES_SQL = "SELECT list(iata ORDER BY iata) FROM ref.airports WHERE list_contains(?, country)"
# The bundled OpenSky sample covers the first week of August in these years.
SAMPLE_OPENSKY_DAYS = [date(y, 8, 1) + timedelta(days=d) for y in (2017, 2019, 2023) for d in range(7)]


def t100_frames(files: list[T100File], now: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    segments = [read_t100(f) for f in files]
    index = pl.DataFrame(
        {
            "file_name": [f.path.name for f in files],
            "kind": [f.kind for f in files],
            "file_sha256": [f.sha256 for f in files],
            "size_bytes": [f.size for f in files],
            "rows_read": [s.height for s in segments],
            "request": [f"file:{f.path}" for f in files],
            "retrieved_at": [now] * len(files),
        },
        schema={
            "file_name": pl.String,
            "kind": pl.String,
            "file_sha256": pl.String,
            "size_bytes": pl.Int64,
            "rows_read": pl.Int64,
            "request": pl.String,
            "retrieved_at": pl.Datetime("us", "UTC"),
        },
    )
    rows = pl.concat(segments, how="diagonal_relaxed") if segments else None
    return index, (rows.with_columns(pl.lit(now).alias("retrieved_at")) if rows is not None else pl.DataFrame())


def years_outside(rows: pl.DataFrame, years: tuple[int, int]) -> list[int]:
    """Years of the incoming segment rows that the run's COLLAB_YEARS leave out of core and marts."""
    if rows.is_empty():
        return []
    found = rows.get_column("year").unique().sort()
    return found.filter(~found.is_between(*years)).to_list()


def dropped_files(context: dg.AssetExecutionContext, t100: T100Files, directory: Path) -> list[T100File]:
    """The T-100 downloads in the run's folder; none (and a warning) in live mode before any folder exists."""
    if directory.is_dir():
        return discover(directory)
    if t100.directory_path:
        raise SourceError(SOURCE_INTERNATIONAL, "T100_DIR is not a directory", record=str(directory))
    # Live mode without T100_DIR: nothing dropped yet; the rows already loaded stay.
    context.log.warning(f"T-100: no folder {directory} (set T100_DIR); no files ingested")
    return []


@dg.multi_asset(
    # ref.airports: the segment suite warns about airport codes it does not list.
    specs=[spec(t, GROUP, deps=("ref.airports",), kinds=("duckdb", "csv")) for t in T100_TABLES],
    check_specs=[check_spec(t) for t in T100_TABLES],
    pool="duckdb",
)
def t100_raw(context: dg.AssetExecutionContext, warehouse: Warehouse, t100: T100Files) -> Iterator:
    """BTS T-100 international and domestic segment files, dropped into T100_DIR (the bundled sample
    in sample mode). Each file is ingested once: a file whose sha256 is already loaded is skipped; a
    file with a known name and a new checksum replaces that file's rows."""
    settings = load_settings()
    directory = t100.directory(settings.mode)
    files = dropped_files(context, t100, directory)
    with warehouse.connection(settings) as conn:
        loaded = {
            r[0]
            for r in conn.execute(
                "SELECT file_sha256 FROM raw.t100_files WHERE source_mode = ?", [settings.mode]
            ).fetchall()
        }
    new = [f for f in files if f.sha256 not in loaded]
    context.log.info(f"T-100: {len(files)} file(s) in {directory}, {len(new)} new or changed")
    index, rows = t100_frames(new, datetime.now(UTC))
    outside = years_outside(rows, settings.years)
    if outside:
        context.log.warning(
            f"T-100: rows of years {outside} are loaded into raw.t100_segments but are outside "
            f"COLLAB_YEARS={settings.years[0]}-{settings.years[1]}, so no core or mart table counts them"
        )
    scope = "source_mode = getvariable('source_mode') AND list_contains(getvariable('t100_files'), file_name)"
    min_rows = 1 if new else 0
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.t100_files",
                sql_text("raw/t100_files.sql"),
                suites.raw_t100_files,
                scope=scope,
                comments=comments("raw.t100_files"),
            ),
            TableLoad(
                "raw.t100_segments",
                sql_text("raw/t100_segments.sql") if new else "SELECT * FROM raw.t100_segments WHERE false",
                lambda prev: suites.raw_t100_segments(prev, settings.rowcount_tolerance, min_rows),
                scope=scope,
                comments=comments("raw.t100_segments"),
            ),
        ],
        settings=settings,
        source=f"bts_t100 files ({settings.mode}: {directory})",
        frames={"incoming_t100_files": index, **({"incoming_t100_segments": rows} if new else {})},
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "directory": dg.MetadataValue.path(str(directory)),
            "files_seen": dg.MetadataValue.int(len(files)),
            "files_ingested": dg.MetadataValue.json([f.path.name for f in new]),
            "years_outside_collab_years": dg.MetadataValue.json(outside),
        },
        t100_files=[f.path.name for f in new] or [""],
    )


SODA_SCHEMA = {
    "year": pl.Int32,
    "month": pl.Int32,
    "usg_apt": pl.String,
    "fg_apt": pl.String,
    "carrier": pl.String,
    "carriergroup": pl.Int32,
    "scheduled": pl.Int64,
    "charter": pl.Int64,
    "total": pl.Int64,
    "request": pl.String,
    "retrieved_at": pl.Datetime("us", "UTC"),
}


def soda_frame(rows: list[SodaRow]) -> pl.DataFrame:
    return records_frame(rows, SODA_SCHEMA)


@dg.multi_asset(
    specs=[spec("raw.soda_passengers", GROUP, deps=("ref.airports",), kinds=("duckdb", "python"))],
    check_specs=[check_spec("raw.soda_passengers")],
    pool="duckdb",
)
def soda_raw(context: dg.AssetExecutionContext, warehouse: Warehouse, soda: SodaResource) -> Iterator:
    """US DOT International_Report_Passengers (Socrata xgub-n9bw): monthly passengers between the
    focus countries' airports and US gateways, both directions, per carrier."""
    settings = load_settings()
    foreign = [c for c in settings.focus if c != "US"] or list(settings.focus)
    with warehouse.connection(settings) as conn:
        airports = conn.execute(SODA_COUNTRIES_SQL, [foreign]).fetchall()[0][0] or []
    client = SampleSoda() if settings.mode == "sample" else soda.client()
    rows = client.passenger_rows(airports, settings.years)
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.soda_passengers",
                sql_text("raw/soda_passengers.sql"),
                lambda prev: suites.raw_soda_passengers(prev, settings.years, settings.rowcount_tolerance),
                scope=RAW_SCOPE.format(year="year"),
                comments=comments("raw.soda_passengers"),
            )
        ],
        settings=settings,
        source=f"dot_soda ({settings.mode})",
        frames={"incoming_soda_passengers": soda_frame(rows)},
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "foreign_airports": dg.MetadataValue.int(len(airports)),
        },
        scope_first=settings.years[0],
        scope_last=settings.years[1],
    )


class OpenSkyConfig(dg.Config):
    days: int = Field(default=1, ge=1, le=31, description="Live mode: how many UTC days of arrivals to fetch.")
    last_day: str = Field(
        default="",
        description="Live mode: the last UTC day (YYYY-MM-DD); empty = yesterday (OpenSky is batch-updated nightly).",
    )


def opensky_frame(flights: list[tuple[str, int, int, dict, str, datetime]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (
                icao,
                f["icao24"],
                f["firstSeen"],
                f["lastSeen"],
                f.get("estDepartureAirport"),
                f.get("estArrivalAirport"),
                (f.get("callsign") or "").strip() or None,
                begin,
                end,
                request,
                retrieved_at,
            )
            for icao, begin, end, f, request, retrieved_at in flights
        ],
        schema={
            "airport_icao": pl.String,
            "icao24": pl.String,
            "first_seen": pl.Int64,
            "last_seen": pl.Int64,
            "est_departure_airport": pl.String,
            "est_arrival_airport": pl.String,
            "callsign": pl.String,
            "window_begin": pl.Int64,
            "window_end": pl.Int64,
            "request": pl.String,
            "retrieved_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


@dg.multi_asset(
    specs=[spec("raw.opensky_arrivals", GROUP, deps=("ref.university_towns",), kinds=("duckdb", "python"))],
    check_specs=[check_spec("raw.opensky_arrivals")],
    pool="duckdb",
)
def opensky_raw(
    context: dg.AssetExecutionContext, config: OpenSkyConfig, warehouse: Warehouse, opensky: OpenSkyResource
) -> Iterator:
    """OpenSky arrivals (flights, not passengers) at the university-town and control airports, one
    call per airport and day (< 24 h windows cost the fewest credits). Optional in live mode: without
    OPENSKY_CLIENT_ID nothing is fetched and the rows held are kept."""
    settings = load_settings()
    if settings.mode == "sample":
        client, days = SampleOpenSky(), SAMPLE_OPENSKY_DAYS
    elif opensky.configured():
        client = opensky.client()
        last = date.fromisoformat(config.last_day) if config.last_day else datetime.now(UTC).date() - timedelta(days=1)
        days = [last - timedelta(days=d) for d in range(config.days)][::-1]
    else:
        client, days = None, []
        context.log.warning("OpenSky not configured (OPENSKY_CLIENT_ID empty): no arrivals fetched")
    with warehouse.connection(settings) as conn:
        airports = [r[0] for r in conn.execute("SELECT airport_icao FROM ref.university_towns ORDER BY 1").fetchall()]
    flights = []
    for day in days:
        begin, end = _unix(day), _unix(day + timedelta(days=1))
        for icao in airports:
            answer = client.arrivals(icao, begin, end)
            flights += [(icao, begin, end, f, answer.request, answer.retrieved_at) for f in answer.flights]
    first, last = (_unix(days[0]), _unix(days[-1])) if days else (0, -1)
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "raw.opensky_arrivals",
                sql_text("raw/opensky_arrivals.sql"),
                # A day without arrivals at a small field is a valid answer (404 = no flights).
                lambda prev: suites.raw_opensky_arrivals(prev, settings.rowcount_tolerance, 0),
                scope=RAW_SCOPE.format(year="window_begin"),
                comments=comments("raw.opensky_arrivals"),
            )
        ],
        settings=settings,
        source=f"opensky ({settings.mode})",
        frames={"incoming_opensky_arrivals": opensky_frame(flights)},
        extra={
            "source_mode": dg.MetadataValue.text(settings.mode),
            "days": dg.MetadataValue.int(len(days)),
            "airports": dg.MetadataValue.int(len(airports)),
            # OpenSky's daily /flights credit left after this run (X-Rate-Limit-Remaining).
            "credits_remaining": dg.MetadataValue.text(str(getattr(client, "credits_remaining", "n/a"))),
        },
        scope_first=first,
        scope_last=last,
    )


flights_core = core_asset(
    "flights_core",
    CORE_TABLES,
    ("raw.t100_segments", "raw.soda_passengers", "ref.airports", "ref.territory_map"),
    "International arrivals at US airports and domestic onward legs, passenger classes only.",
    group=GROUP,
    source="flights",
    variables={"passenger_classes": list(PASSENGER_CLASSES)},  # the service classes counted as passengers
)

flight_gateway_arrivals = mart_asset(
    "mart.flight_gateway_arrivals",
    ("core.international_arrivals",),
    suites.mart_flight_gateway_arrivals,
    "Measured: passengers arriving at each US gateway from each origin country, per month and source.",
    group=GROUP,
    source="flights",
)
university_town_inflow = mart_asset(
    "mart.university_town_inflow",
    ("core.international_arrivals", "core.domestic_legs", "ref.university_towns"),
    suites.mart_university_town_inflow,
    "Modelled: passengers from each origin country reaching university-town and control airports.",
    group=GROUP,
    source="flights",
)
flight_proxy_index = mart_asset(
    "mart.flight_proxy_index",
    ("core.international_arrivals", "core.domestic_legs", "mart.university_town_inflow"),
    suites.mart_flight_proxy_index,
    "Per origin → US and year: gateway passengers, 2018 index, August share, town-vs-control DiD.",
    group=GROUP,
    source="flights",
)
town_flight_counts = mart_asset(
    "mart.town_flight_counts",
    ("raw.opensky_arrivals", "ref.university_towns"),
    suites.mart_town_flight_counts,
    "Measured: OpenSky arrivals (flights, not passengers) per town airport and day.",
    group=GROUP,
    source="opensky",
)
