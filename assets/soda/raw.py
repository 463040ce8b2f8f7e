"""raw.soda_passengers: monthly passengers between the focus countries' airports and US gateways (DOT Socrata)."""

import dagster as dg

from assets.common import ExtractContext, Extracted, slice_raw_asset, year_scoped
from assets.soda import suites
from assets.soda.table import SODA_PASSENGERS

GROUP = "flights"
# Origin airports asked of the DOT dataset: the focus countries' airports with scheduled US service.
SODA_COUNTRIES_SQL = "SELECT list(iata ORDER BY iata) FROM ref.airports WHERE list_contains(?, country)"


def extract(run: ExtractContext) -> Extracted:
    settings = run.settings
    foreign = [c for c in settings.focus if c != "US"] or list(settings.focus)
    with run.warehouse.connection(settings) as conn:
        airports = conn.execute(SODA_COUNTRIES_SQL, [foreign]).fetchall()[0][0] or []
    rows = run.source.passenger_rows(airports, settings.years)
    return Extracted(
        frames={"incoming_soda_passengers": SODA_PASSENGERS.frame(rows)},
        metadata={"foreign_airports": dg.MetadataValue.int(len(airports))},
    )


soda_raw = slice_raw_asset(
    __package__,
    SODA_PASSENGERS,
    year_scoped(suites.raw_soda_passengers),
    extract,
    source="dot_soda",
    group=GROUP,
    deps=("ref.airports",),
    doc="US DOT International_Report_Passengers (Socrata xgub-n9bw): monthly passengers between the "
    "focus countries' airports and US gateways, both directions, per carrier.",
)
