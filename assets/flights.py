"""Flight-arrival proxies: the core and marts built from the raw flight tables (T-100 files, DOT Socrata and
OpenSky, each loaded by its own slice: assets/t100, assets/soda, assets/opensky), each load gated.

What is measured (passengers to US gateways, flights into town airports) and what is modelled
(passengers reaching university towns) stays apart in every table and column name.
"""

import functools

from assets.common import core_asset, mart_asset
from assets.t100.reader import PASSENGER_CLASSES
from pipeline.flights import suites

GROUP = "flights"
CORE_TABLES = {
    "core.international_arrivals": suites.core_international_arrivals,
    "core.domestic_legs": suites.core_domestic_legs,
}

flights_core = core_asset(
    "flights_core",
    CORE_TABLES,
    ("raw.t100_segments", "raw.soda_passengers", "ref.airports", "ref.territory_map"),
    "International arrivals at US airports and domestic onward legs, passenger classes only.",
    group=GROUP,
    source="flights",
    variables={"passenger_classes": list(PASSENGER_CLASSES)},  # the service classes counted as passengers
)

# Every flights mart is in the flights group; all but the OpenSky counts are built from the passenger tables.
_flights_mart = functools.partial(mart_asset, group=GROUP, source="flights")

flight_gateway_arrivals = _flights_mart(
    "mart.flight_gateway_arrivals",
    ("core.international_arrivals",),
    suites.mart_flight_gateway_arrivals,
    "Measured: passengers arriving at each US gateway from each origin country, per month and source.",
)
university_town_inflow = _flights_mart(
    "mart.university_town_inflow",
    ("core.international_arrivals", "core.domestic_legs", "ref.university_towns"),
    suites.mart_university_town_inflow,
    "Modelled: passengers from each origin country reaching university-town and control airports.",
)
flight_proxy_index = _flights_mart(
    "mart.flight_proxy_index",
    ("core.international_arrivals", "core.domestic_legs", "mart.university_town_inflow"),
    suites.mart_flight_proxy_index,
    "Per origin → US and year: gateway passengers, 2018 index, August share, town-vs-control DiD.",
)
town_flight_counts = _flights_mart(
    "mart.town_flight_counts",
    ("raw.opensky_arrivals", "ref.university_towns"),
    suites.mart_town_flight_counts,
    "Measured: OpenSky arrivals (flights, not passengers) per town airport and day.",
    source="opensky",
)
