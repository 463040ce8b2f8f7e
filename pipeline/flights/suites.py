"""great-expectations suites of the flight core and mart tables and ref.university_towns (same conventions as
pipeline.suites); the raw flight tables' suites live in their slices (assets/t100, assets/soda, assets/opensky)."""

from __future__ import annotations

from collections.abc import Sequence

import great_expectations.expectations as gxe

from pipeline.suites import in_set, keyed_table, non_negative, not_null, select
from pipeline.validation import WARNING, Suite, iso2_codes, row_count_expectation

ROLES = ["university_town", "control"]
MAX_TOWN_DISTANCE_KM = 100.0


def months() -> list:
    return [gxe.ExpectColumnValuesToBeBetween(column="month", min_value=1, max_value=12)]


def airport_known(column: str) -> str:
    return f"coalesce({column} IN (SELECT iata FROM ref.airports), false) AS {column}_known"


def known_airports(*columns: str) -> list:
    """Warnings: BTS uses placeholder and closed-airport codes that airportsdata does not list; their
    passengers are real and still count (the code only cannot be placed on a map)."""
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column=f"{c}_known",
            value_set=[True],
            severity=WARNING,
            description=f"{c} airport code not in ref.airports (airportsdata); rows kept",
        )
        for c in columns
    ]


NO_DOMESTIC_LEGS = (
    "no T-100 domestic segment rows in the run's years: drop T_T100D_SEGMENT_ALL_CARRIER files into T100_DIR"
)


def _some_rows(note: str) -> object:
    """A warning when a table that can legitimately be empty is empty, saying why."""
    return gxe.ExpectTableRowCountToBeBetween(min_value=1, severity=WARNING, description=note)


def ref_university_towns(previous: int) -> Sequence[Suite]:
    return [
        Suite(
            "ref.university_towns",
            "SELECT airport_iata, role, reason, allocation_airport, "
            f"{airport_known('airport_iata')}, {airport_known('allocation_airport')} FROM {{table}}",
            [
                *not_null("airport_iata", "role", "reason"),
                gxe.ExpectColumnValuesToBeUnique(column="airport_iata"),
                gxe.ExpectColumnValuesToBeInSet(column="role", value_set=ROLES),
                gxe.ExpectColumnValuesToBeInSet(column="airport_iata_known", value_set=[True]),
                gxe.ExpectColumnValuesToBeInSet(column="allocation_airport_known", value_set=[True]),
            ],
            id_columns=["airport_iata"],
        ),
        Suite(
            # Controls stand for no campus; a university town's airport must be near its campus.
            "ref.university_towns:campus_distance",
            "SELECT airport_iata, university, distance_km FROM {table} WHERE role = 'university_town'",
            [
                *not_null("university", "distance_km"),
                gxe.ExpectColumnValuesToBeBetween(column="distance_km", min_value=0, max_value=MAX_TOWN_DISTANCE_KM),
            ],
            id_columns=["airport_iata"],
        ),
    ]


def core_international_arrivals(previous: int, tolerance: float) -> Sequence[Suite]:
    return [
        Suite(
            "core.international_arrivals",
            "SELECT year, month, us_airport, foreign_airport, origin_country, passengers, source, "
            f"{airport_known('us_airport')}, {airport_known('foreign_airport')} FROM {{table}}",
            [
                *not_null("year", "month", "us_airport", "foreign_airport", "passengers"),
                *months(),
                *non_negative("passengers"),
                gxe.ExpectColumnValuesToBeInSet(column="origin_country", value_set=iso2_codes()),
                gxe.ExpectColumnValuesToNotBeNull(column="origin_country"),
                row_count_expectation(previous, tolerance),
                *known_airports("us_airport", "foreign_airport"),
            ],
            id_columns=["source", "year", "month", "us_airport", "foreign_airport"],
        )
    ]


def core_domestic_legs(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["year", "month", "gateway", "dest"]
    then = [
        # Users often drop the international download first: no domestic legs is a state, not an error.
        row_count_expectation(previous, tolerance, min_rows=0),
        _some_rows(NO_DOMESTIC_LEGS),
        *known_airports("gateway", "dest"),
    ]
    view = select(*key, "passengers", airport_known("gateway"), airport_known("dest"))
    return [keyed_table("core.domestic_legs", view, key, [*months(), *non_negative("passengers")], then)]


def mart_flight_gateway_arrivals(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["year", "month", "us_airport", "origin_country", "source"]
    view, rows = select(*key, "passengers"), row_count_expectation(previous, tolerance)
    return [keyed_table("mart.flight_gateway_arrivals", view, key, [*months(), *non_negative("passengers")], [rows])]


def mart_university_town_inflow(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["year", "month", "town_airport", "origin_country"]
    rules = [
        *months(),
        *non_negative("modelled_passengers"),
        *in_set(["modelled_allocation"], "method"),
        *in_set(ROLES, "role"),
    ]
    then = [
        row_count_expectation(previous, tolerance, min_rows=0),
        _some_rows(NO_DOMESTIC_LEGS + "; the modelled town allocation is empty"),
    ]
    return [
        keyed_table(
            "mart.university_town_inflow", select(*key, "modelled_passengers", "method", "role"), key, rules, then
        ),
        Suite(
            "mart.university_town_inflow:shares",
            select(*key, "unnest(gateway_shares).share AS share"),
            [gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1)],
            id_columns=key,
        ),
    ]


def mart_flight_proxy_index(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["origin", "destination", "year"]
    then = [
        gxe.ExpectColumnValuesToBeBetween(column="august_share", min_value=0, max_value=1),
        *non_negative("passengers", "did_std_error"),
        row_count_expectation(previous, tolerance),
    ]
    view = select(*key, "passengers", "august_share", "did_std_error")
    return [keyed_table("mart.flight_proxy_index", view, key, not_null(*key, "passengers"), then)]


def mart_town_flight_counts(previous: int, tolerance: float) -> Sequence[Suite]:
    key = ["airport_icao", "day"]
    view = select(*key, "flights")
    return [keyed_table("mart.town_flight_counts", view, key, not_null(*key, "flights"), non_negative("flights"))]
