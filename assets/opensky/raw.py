"""raw.opensky_arrivals: OpenSky arrivals (flights, not passengers) at the university-town and control airports."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
from pydantic import Field

from assets.common import RAW_SCOPE, ExtractContext, Extracted, RawTableLoad, raw_asset
from assets.opensky import suites
from assets.opensky.table import OPENSKY_ARRIVALS, ArrivalRow
from pipeline.warehouse import package_sql

GROUP = "flights"


class OpenSkyConfig(dg.Config):
    days: int = Field(default=1, ge=1, le=31, description="Live mode: how many UTC days of arrivals to fetch.")
    last_day: str = Field(
        default="",
        description="Live mode: the last UTC day (YYYY-MM-DD); empty = yesterday (OpenSky is batch-updated nightly).",
    )


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _row(icao: str, begin: int, end: int, flight: dict, request: str, retrieved_at: datetime) -> ArrivalRow:
    return ArrivalRow(
        airport_icao=icao,
        icao24=flight["icao24"],
        first_seen=flight["firstSeen"],
        last_seen=flight["lastSeen"],
        est_departure_airport=flight.get("estDepartureAirport"),
        est_arrival_airport=flight.get("estArrivalAirport"),
        callsign=(flight.get("callsign") or "").strip() or None,
        window_begin=begin,
        window_end=end,
        request=request,
        retrieved_at=retrieved_at,
    )


def extract(run: ExtractContext) -> Extracted:
    config: OpenSkyConfig = run.config
    client = run.source
    if client is None:
        days = []
        run.context.log.warning("OpenSky not configured (OPENSKY_CLIENT_ID empty): no arrivals fetched")
    else:
        days = client.days(config.days, date.fromisoformat(config.last_day) if config.last_day else None)
    with run.warehouse.connection(run.settings) as conn:
        airports = [r[0] for r in conn.execute("SELECT airport_icao FROM ref.university_towns ORDER BY 1").fetchall()]
    rows = []
    for day in days:
        begin, end = _unix(day), _unix(day + timedelta(days=1))
        for icao in airports:
            answer = client.arrivals(icao, begin, end)
            rows += [_row(icao, begin, end, f, answer.request, answer.retrieved_at) for f in answer.flights]
    first, last = (_unix(days[0]), _unix(days[-1])) if days else (0, -1)
    return Extracted(
        frames={"incoming_opensky_arrivals": OPENSKY_ARRIVALS.frame(rows)},
        metadata={
            "days": dg.MetadataValue.int(len(days)),
            "airports": dg.MetadataValue.int(len(airports)),
            # OpenSky's daily /flights credit left after this run (X-Rate-Limit-Remaining).
            "credits_remaining": dg.MetadataValue.text(str(getattr(client, "credits_remaining", "n/a"))),
        },
        # The rows replaced are those of the days asked for (window_begin), not of the run's years.
        variables={"scope_first": first, "scope_last": last},
    )


opensky_raw = raw_asset(
    "opensky_raw",
    [
        RawTableLoad(
            OPENSKY_ARRIVALS,
            package_sql(__package__, "raw.sql"),
            # A day without arrivals at a small field is a valid answer (404 = no flights).
            lambda previous, settings, _: suites.raw_opensky_arrivals(previous, settings.rowcount_tolerance, 0),
            scope=RAW_SCOPE.format(year="window_begin"),
        )
    ],
    extract,
    source="opensky",
    resource_key="opensky",
    group=GROUP,
    deps=("ref.university_towns",),
    config=OpenSkyConfig,
    doc="OpenSky arrivals (flights, not passengers) at the university-town and control airports, one call per "
    "airport and day (< 24 h windows cost the fewest credits). Optional in live mode: without "
    "OPENSKY_CLIENT_ID nothing is fetched and the rows held are kept.",
)
