"""Flight-arrival proxies: the core and marts built from the raw flight tables (T-100 files, DOT Socrata and
OpenSky, each loaded by its own slice: assets/t100, assets/soda, assets/opensky), each load gated.

What is measured (passengers to US gateways, flights into town airports) and what is modelled
(passengers reaching university towns) stays apart in every table and column name.
"""

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
