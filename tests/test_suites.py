"""Every great-expectations suite function, evaluated as the gate evaluates it: a pass and a fail case each.

The suite functions are found, not listed: every public function of the suite modules whose return
annotation is `Sequence[Suite]`. CASES holds, per function, realistic arguments (as the call sites in
assets/*.py pass them), a minimal valid table (and the ref tables its views read), and variants of that
table. Each variant's table is written to a fresh in-memory DuckDB under the table's warehouse name and
every suite of the function runs through `validate_query(conn, suite.view_sql.format(table=...), suite)`,
as `pipeline.warehouse.load_gated` runs it; the failures must be exactly the ones the variant names.

- the valid table: no error, no warning, and every suite's view has rows (a view filtering everything
  out would pass vacuously);
- each function has at least one variant failing a critical rule (`.success` False);
- each warning rule (severity=WARNING) has a variant where only warnings fail (`.success` True).

A new suite function without a case, or a new warning rule without a warning-only variant, fails
`test_every_suite_function_has_cases`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType
from typing import Any

import duckdb
import pandas as pd
import pytest

import assets.oecd.suites as oecd_suites
import assets.open_doors.suites as open_doors_suites
import assets.openalex.suites as openalex_suites
import assets.openalex_snapshot.suites as snapshot_suites
import assets.opensky.suites as opensky_suites
import assets.soda.suites as soda_suites
import assets.t100.suites as t100_suites
import assets.uis.suites as uis_suites
import assets.worldbank.suites as worldbank_suites
import pipeline.context.suites as context_suites
import pipeline.flights.suites as flight_suites
import pipeline.mobility.suites as mobility_suites
import pipeline.suites as paper_suites
from assets.worldbank.client import INDICATORS
from pipeline.validation import CRITICAL, WARNING, Suite, SuiteResult, validate_query

MODULES: tuple[ModuleType, ...] = (
    paper_suites,
    flight_suites,
    t100_suites,
    soda_suites,
    opensky_suites,
    mobility_suites,
    uis_suites,
    oecd_suites,
    open_doors_suites,
    context_suites,
    worldbank_suites,
    snapshot_suites,
    openalex_suites,
)
# Functions that return no suite by design (tables validated through the tables built from them).
NO_SUITES = {paper_suites.no_checks}

YEARS, TOLERANCE = (2015, 2024), 0.5  # COLLAB_YEARS and COLLAB_ROWCOUNT_TOLERANCE as a run passes them

NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
REGEX = "expect_column_values_to_match_regex"
A_AT_LEAST_B = "expect_column_pair_values_a_to_be_greater_than_b"
PAIR_EQUAL = "expect_column_pair_values_to_be_equal"
ROW_COUNT = "expect_table_row_count_to_be_between"

Rows = list[dict[str, Any]]


def suite_functions() -> set[Callable[..., Sequence[Suite]]]:
    """Public functions defined in the suite modules and annotated to return Sequence[Suite]."""
    return {
        fn
        for module in MODULES
        for name, fn in vars(module).items()
        if inspect.isfunction(fn)
        and not name.startswith("_")
        and fn.__module__ == module.__name__
        and typing.get_type_hints(fn).get("return") == Sequence[Suite]
    }


# --- the case table's vocabulary ------------------------------------------------------------------------


def R(columns: str, *values: tuple) -> Rows:
    """Rows from a header ("a b c") and value tuples."""
    names = columns.split()
    return [dict(zip(names, v, strict=True)) for v in values]


def patch(i: int, **values: Any) -> Callable[[Rows], Rows]:
    """Row i with some values changed."""
    return lambda rows: [{**r, **values} if n == i else r for n, r in enumerate(rows)]


def add(i: int = 0, **values: Any) -> Callable[[Rows], Rows]:
    """One more row: a copy of row i (a duplicate), with some values changed."""
    return lambda rows: [*rows, {**rows[i], **values}]


def drop(i: int) -> Callable[[Rows], Rows]:
    return lambda rows: [r for n, r in enumerate(rows) if n != i]


def empty(rows: Rows) -> Rows:
    return []


@dataclass(frozen=True)
class Fail:
    """One expected failed rule: suite name, GX rule type, column (None for table, pair and compound
    rules), unexpected rows (None for the row count), severity."""

    suite: str
    rule: str
    column: str | None
    count: int | None
    severity: str = CRITICAL


def Warn(suite: str, rule: str, column: str | None, count: int | None) -> Fail:
    return Fail(suite, rule, column, count, WARNING)


@dataclass(frozen=True)
class Variant:
    label: str
    edit: Callable[[Rows], Rows]
    fails: tuple[Fail, ...]
    args: dict[str, Any] = field(default_factory=dict)  # the function's arguments changed (e.g. previous)


def V(label: str, edit: Callable[[Rows], Rows], *fails: Fail, **args: Any) -> Variant:
    return Variant(label, edit, fails, args)


@dataclass(frozen=True)
class Case:
    fn: Callable[..., Sequence[Suite]]
    args: dict[str, Any]
    table: str  # the warehouse table `{table}` stands for
    rows: Rows  # a minimal valid table
    variants: tuple[Variant, ...]
    refs: dict[str, Rows] = field(default_factory=dict)  # other tables the views read


AIRPORTS = {"ref.airports": R("iata", ("ORD",), ("FRA",), ("JFK",), ("ITH",), ("SYR",), ("ABQ",), ("PEK",))}
W1, W2 = "https://openalex.org/W1", "https://openalex.org/W2"
SHA = "0123456789abcdef" * 4


def args(previous: int = 2, **more: Any) -> dict[str, Any]:
    return {"previous": previous, "tolerance": TOLERANCE, **more}


# --- the cases: one per suite function ------------------------------------------------------------------

CASES: list[Case] = [
    Case(
        openalex_suites.raw_openalex_works,
        args(years=YEARS),
        "raw.openalex_works",
        R(
            "work_id publication_year type n_authorships is_paratext is_retracted source_mode countries",
            (W1, 2020, "article", 2, False, False, "sample", ["US", "CN"]),
            (W2, 2021, "article", 1, False, False, "sample", ["XK"]),
        ),
        (
            V(
                "year outside COLLAB_YEARS",
                patch(0, publication_year=2030),
                Fail("raw.openalex_works", BETWEEN, "publication_year", 1),
            ),
            V("duplicate work id", add(), Fail("raw.openalex_works", UNIQUE, "work_id", 2)),
            V(
                "unknown country code",
                patch(1, countries=["DE", "ZZ"]),
                Fail("raw.openalex_works:countries", IN_SET, "country", 1),
            ),
        ),
    ),
    Case(
        snapshot_suites.raw_openalex_snapshot_parts,
        {},
        "raw.openalex_snapshot_parts",
        R(
            "work_id publication_year n_authorships updated_date snapshot_release source_mode countries",
            (W1, 2020, 2, date(2026, 1, 5), "2026-01-05", "snapshot", ["US", "CN"]),
            (W2, 2021, 0, date(2026, 1, 5), "2026-01-05", "snapshot", []),
        ),
        (
            V(
                "a sample-mode row",
                patch(1, source_mode="sample"),
                Fail("raw.openalex_snapshot_parts", IN_SET, "source_mode", 1),
            ),
            V("malformed work id", patch(0, work_id="W1"), Fail("raw.openalex_snapshot_parts", REGEX, "work_id", 1)),
        ),
    ),
    Case(
        snapshot_suites.raw_openalex_snapshot_works,
        args(),
        "raw.openalex_snapshot_works",
        R(
            "work_id publication_year n_authorships updated_date snapshot_release source_mode countries",
            (W1, 2020, 2, date(2026, 1, 5), "2026-01-05", "snapshot", ["US", "CN"]),
            (W2, 2021, 1, date(2026, 1, 6), "2026-01-05", "snapshot", ["DE"]),
        ),
        (
            V(
                "no updated_date",
                patch(1, updated_date=None),
                Fail("raw.openalex_snapshot_works", NOT_NULL, "updated_date", 1),
            ),
            V(
                "far fewer rows than the previous load",
                lambda rows: rows,
                Fail("raw.openalex_snapshot_works", ROW_COUNT, None, None),
                previous=100,
            ),
        ),
    ),
    Case(
        openalex_suites.raw_openalex_group_counts,
        args(years=YEARS, live=False),
        "raw.openalex_group_counts",
        R(
            "query_kind paper_set year intl_only filter_country key count request group_field",
            ("country_year", "all", 2020, False, None, "US", 10, "r1", "authorships.countries"),
            ("pair_year", "all", 2020, True, "CN", "US", 4, "r2", "authorships.countries"),
        ),
        (
            V("negative count", patch(0, count=-1), Fail("raw.openalex_group_counts", BETWEEN, "count", 1)),
            V(
                "an aggregate as a country key",
                patch(1, key="EU"),
                Fail("raw.openalex_group_counts:countries", IN_SET, "key", 1),
            ),
            V("duplicate group", add(1), Fail("raw.openalex_group_counts", COMPOUND_UNIQUE, None, 2)),
            V(
                "a live run with no rows",
                empty,
                Fail("raw.openalex_group_counts", ROW_COUNT, None, None),
                previous=0,
                live=True,
            ),
        ),
    ),
    Case(
        paper_suites.core_works,
        args(),
        "core.works",
        R("work_id year in_universe", (W1, 2020, True), (W2, 2021, False)),
        (V("no year", patch(0, year=None), Fail("core.works", NOT_NULL, "year", 1)),),
    ),
    Case(
        paper_suites.core_authorship_affiliations,
        args(),
        "core.authorship_affiliations",
        R("work_id author_idx country n_affiliations n_authors", (W1, 0, "US", 1, 2), (W1, 1, "UNK", 2, 2)),
        (
            V(
                "no affiliation counted",
                patch(0, n_affiliations=0),
                Fail("core.authorship_affiliations", BETWEEN, "n_affiliations", 1),
            ),
            V("unknown country", patch(1, country="ZZ"), Fail("core.authorship_affiliations", IN_SET, "country", 1)),
        ),
    ),
    Case(
        paper_suites.core_work_countries,
        args(),
        "core.work_countries",
        R("work_id country", (W1, "US"), (W1, "CN")),
        (V("a country twice on a work", add(), Fail("core.work_countries", COMPOUND_UNIQUE, None, 2)),),
    ),
    Case(
        paper_suites.core_work_country_shares,
        args(previous=3),
        "core.work_country_shares",
        R("work_id country share", (W1, "US", 0.5), (W1, "CN", 0.5), (W2, "DE", 1.0)),
        (
            V(
                "shares of a paper summing to 0.9",
                patch(0, share=0.4),
                Fail("core.work_country_shares:per_paper", BETWEEN, "share_total", 1),
            ),
            V(
                "a share above 1",
                patch(2, share=1.5),
                Fail("core.work_country_shares", BETWEEN, "share", 1),
                Fail("core.work_country_shares:per_paper", BETWEEN, "share_total", 1),
            ),
        ),
    ),
    Case(
        paper_suites.core_country_year,
        args(),
        "core.country_year",
        R(
            "country year paper_set papers intl_papers share",
            ("US", 2020, "all", 10, 4, 7.5),
            ("CN", 2020, "all", 8, 4, 6.5),
        ),
        (
            V(
                "more international papers than papers",
                patch(0, intl_papers=11),
                Fail("core.country_year", A_AT_LEAST_B, None, 1),
            ),
        ),
    ),
    Case(
        paper_suites.core_world_year,
        args(),
        "core.world_year",
        R("year paper_set world_papers world_intl_papers", (2020, "all", 100, 20), (2020, "nature_index", 10, 3)),
        (V("a year twice", add(), Fail("core.world_year", COMPOUND_UNIQUE, None, 2)),),
    ),
    Case(
        paper_suites.core_pair_year,
        args(),
        "core.pair_year",
        R(
            "country_a country_b year paper_set coauthored share_a_joint",
            ("US", "CN", 2020, "all", 4, 0.4),
            ("CN", "US", 2020, "all", 4, 0.5),
        ),
        (
            V(
                "more joint papers than country_a's papers",
                patch(1, coauthored=9),
                Fail("core.pair_year", A_AT_LEAST_B, None, 1),
            ),
        ),
        refs={"core.country_year": R("country year paper_set papers", ("US", 2020, "all", 10), ("CN", 2020, "all", 8))},
    ),
    Case(
        paper_suites.core_pair_year_bootstrap,
        args(),
        "core.pair_year_bootstrap",
        R(
            "country_a country_b year paper_set replicates collaboration_score_ci_low collaboration_score_ci_high "
            "observed_expected_ci_low observed_expected_ci_high",
            ("US", "CN", 2020, "all", 200, 2.0, 3.0, 1.1, 1.4),
            ("CN", "US", 2020, "all", 200, 2.0, 3.0, 1.1, 1.4),
        ),
        (
            V(
                "an interval upside down",
                patch(0, collaboration_score_ci_high=1.5),
                Fail("core.pair_year_bootstrap", A_AT_LEAST_B, None, 1),
            ),
            V(
                "no interval",
                patch(1, collaboration_score_ci_low=None),
                Fail("core.pair_year_bootstrap", NOT_NULL, "collaboration_score_ci_low", 1),
            ),
        ),
    ),
    Case(
        paper_suites.mart_bilateral_papers,
        args(),
        "mart.bilateral_papers",
        R(
            "country_a country_b year paper_set coauthored source_mode salton jaccard affinity observed_expected "
            "collaboration_score",
            ("US", "CN", 2020, "all", 4, "sample", 0.3, 0.2, 0.4, 1.5, 3.2),
            ("CN", "US", 2020, "all", 4, "sample", 0.3, 0.2, 0.5, 1.5, 3.2),
        ),
        (
            V("no mirror pair", drop(1), Fail("mart.bilateral_papers:symmetry", IN_SET, "mirror_missing", 1)),
            V(
                "asymmetric Salton index",
                patch(1, salton=0.35),
                Fail("mart.bilateral_papers:symmetry", BETWEEN, "salton_gap", 2),
            ),
            V(
                "collaboration score above the joint papers",
                lambda rows: patch(1, collaboration_score=5.0)(patch(0, collaboration_score=5.0)(rows)),
                Fail("mart.bilateral_papers", A_AT_LEAST_B, None, 2),
            ),
        ),
    ),
    Case(
        paper_suites.mart_country_papers,
        args(),
        "mart.country_papers",
        R(
            "country year paper_set papers intl_papers share",
            ("US", 2020, "all", 10, 4, 7.5),
            ("CN", 2020, "all", 8, 4, 6.5),
        ),
        (V("negative share", patch(1, share=-0.5), Fail("mart.country_papers", BETWEEN, "share", 1)),),
    ),
    Case(
        paper_suites.mart_papers_quality,
        args(),
        "mart.papers_quality",
        R(
            "year source works_seen works_in_universe share_authorships_no_country truncated_author_lists "
            "truncated_refetched",
            (2020, "sample", 100, 90, 0.02, 3, 3),
            (2021, "sample", 120, 100, 0.0, 0, 0),
        ),
        (
            V(
                "a truncated author list not re-read",
                patch(0, truncated_refetched=2),
                Fail("mart.papers_quality", PAIR_EQUAL, None, 1),
            ),
        ),
    ),
    Case(
        flight_suites.ref_university_towns,
        {"previous": 2},
        "ref.university_towns",
        R(
            "airport_iata role reason allocation_airport university distance_km",
            ("ITH", "university_town", "Cornell's airport", "SYR", "Cornell University", 5.0),
            ("ABQ", "control", "no large campus", "ABQ", None, None),
        ),
        (
            V(
                "an allocation airport not in ref.airports",
                patch(0, allocation_airport="XXX"),
                Fail("ref.university_towns", IN_SET, "allocation_airport_known", 1),
            ),
            V(
                "a campus far from its airport",
                patch(0, distance_km=150.0),
                Fail("ref.university_towns:campus_distance", BETWEEN, "distance_km", 1),
            ),
            V("an unknown role", patch(1, role="town"), Fail("ref.university_towns", IN_SET, "role", 1)),
        ),
        refs=AIRPORTS,
    ),
    Case(
        t100_suites.raw_t100_files,
        {"previous": 2},
        "raw.t100_files",
        R(
            "file_name kind file_sha256 size_bytes rows_read",
            ("T_T100I_SEGMENT_ALL_CARRIER_2020.csv", "international", SHA, 1024, 10),
            ("T_T100D_SEGMENT_ALL_CARRIER_2020.csv", "domestic", SHA[::-1], 2048, 20),
        ),
        (
            V(
                "the same file under two names",
                add(0, file_name="copy.csv"),
                Fail("raw.t100_files", UNIQUE, "file_sha256", 2),
            ),
            V("not a sha256", patch(1, file_sha256="abc"), Fail("raw.t100_files", REGEX, "file_sha256", 1)),
        ),
    ),
    Case(
        t100_suites.raw_t100_segments,
        args(min_rows=1),
        "raw.t100_segments",
        R(
            "kind unique_carrier unique_carrier_entity region origin dest year month aircraft_type aircraft_config "
            "class data_source passengers seats file_name source_line",
            ("international", "UA", "0A1", "I", "FRA", "ORD", 2020, 8, "622", "1", "F", "IF", 250, 300, "t.csv", 2),
            ("international", "UA", "0A1", "I", "FRA", "ORD", 2020, 9, "622", "1", "F", "IF", 260, 300, "t.csv", 3),
        ),
        (
            V("month 13", patch(0, month=13), Fail("raw.t100_segments", BETWEEN, "month", 1)),
            V("the same line twice", add(1, source_line=4), Fail("raw.t100_segments", COMPOUND_UNIQUE, None, 2)),
            V("an unknown service class", patch(1, **{"class": "Z"}), Fail("raw.t100_segments", IN_SET, "class", 1)),
            V("new files without rows", empty, Fail("raw.t100_segments", ROW_COUNT, None, None), previous=0),
            V(
                "passengers above seats (a charter)",
                patch(0, passengers=320),
                Warn("raw.t100_segments", A_AT_LEAST_B, None, 1),
            ),
            V(
                "airport codes airportsdata does not list",
                patch(1, origin="ZZA", dest="ZZB"),
                Warn("raw.t100_segments", IN_SET, "origin_known", 1),
                Warn("raw.t100_segments", IN_SET, "dest_known", 1),
            ),
        ),
        refs=AIRPORTS,
    ),
    Case(
        soda_suites.raw_soda_passengers,
        args(years=YEARS),
        "raw.soda_passengers",
        R(
            "year month usg_apt fg_apt carrier scheduled charter total",
            (2020, 1, "JFK", "PEK", "CA", 900, 0, 900),
            (2020, 2, "JFK", "PEK", "CA", 800, 10, 810),
        ),
        (
            V("a year outside COLLAB_YEARS", patch(0, year=2010), Fail("raw.soda_passengers", BETWEEN, "year", 1)),
            V("no total", patch(1, total=None), Fail("raw.soda_passengers", NOT_NULL, "total", 1)),
        ),
    ),
    Case(
        opensky_suites.raw_opensky_arrivals,
        args(min_rows=0),
        "raw.opensky_arrivals",
        R(
            "airport_icao icao24 first_seen last_seen window_begin window_end",
            ("KITH", "a1b2c3", 1_600_000_000, 1_600_003_600, 1_599_955_200, 1_600_041_600),
            ("KITH", "d4e5f6", 1_600_010_000, 1_600_012_000, 1_599_955_200, 1_600_041_600),
        ),
        (
            V(
                "landed before taking off",
                patch(1, last_seen=1_600_000_000),
                Fail("raw.opensky_arrivals", A_AT_LEAST_B, None, 1),
            ),
            V(
                "the same flight twice",
                add(0, last_seen=1_600_003_700),
                Fail("raw.opensky_arrivals", COMPOUND_UNIQUE, None, 2),
            ),
        ),
    ),
    Case(
        flight_suites.core_international_arrivals,
        args(),
        "core.international_arrivals",
        R(
            "year month us_airport foreign_airport origin_country passengers source",
            (2020, 8, "ORD", "FRA", "DE", 250, "bts_t100"),
            (2020, 8, "JFK", "PEK", "CN", 300, "bts_t100"),
        ),
        (
            V(
                "no origin country",
                patch(0, origin_country=None),
                Fail("core.international_arrivals", NOT_NULL, "origin_country", 1),
            ),
            V(
                "airport codes airportsdata does not list",
                patch(1, us_airport="ZZA", foreign_airport="ZZB"),
                Warn("core.international_arrivals", IN_SET, "us_airport_known", 1),
                Warn("core.international_arrivals", IN_SET, "foreign_airport_known", 1),
            ),
        ),
        refs=AIRPORTS,
    ),
    Case(
        flight_suites.core_domestic_legs,
        args(),
        "core.domestic_legs",
        R("year month gateway dest passengers", (2020, 8, "ORD", "ITH", 40), (2020, 8, "JFK", "SYR", 30)),
        (
            V("the same leg twice", add(), Fail("core.domestic_legs", COMPOUND_UNIQUE, None, 2)),
            V("no domestic download yet", empty, Warn("core.domestic_legs", ROW_COUNT, None, None), previous=0),
            V(
                "airport codes airportsdata does not list",
                patch(0, gateway="ZZA", dest="ZZB"),
                Warn("core.domestic_legs", IN_SET, "gateway_known", 1),
                Warn("core.domestic_legs", IN_SET, "dest_known", 1),
            ),
        ),
        refs=AIRPORTS,
    ),
    Case(
        flight_suites.mart_flight_gateway_arrivals,
        args(),
        "mart.flight_gateway_arrivals",
        R(
            "year month us_airport origin_country source passengers",
            (2020, 8, "ORD", "DE", "bts_t100", 250),
            (2020, 8, "JFK", "CN", "bts_t100", 300),
        ),
        (
            V(
                "negative passengers",
                patch(1, passengers=-3),
                Fail("mart.flight_gateway_arrivals", BETWEEN, "passengers", 1),
            ),
        ),
    ),
    Case(
        flight_suites.mart_university_town_inflow,
        args(),
        "mart.university_town_inflow",
        R(
            "year month town_airport origin_country modelled_passengers method role gateway_shares",
            (2020, 8, "ITH", "CN", 12.5, "modelled_allocation", "university_town", [{"gateway": "JFK", "share": 1.0}]),
            (
                2020,
                8,
                "ABQ",
                "CN",
                3.0,
                "modelled_allocation",
                "control",
                [{"gateway": "JFK", "share": 0.25}, {"gateway": "ORD", "share": 0.75}],
            ),
        ),
        (
            V(
                "a gateway share above 1",
                patch(0, gateway_shares=[{"gateway": "JFK", "share": 1.5}]),
                Fail("mart.university_town_inflow:shares", BETWEEN, "share", 1),
            ),
            V(
                "an unknown method",
                patch(1, method="measured"),
                Fail("mart.university_town_inflow", IN_SET, "method", 1),
            ),
            V(
                "no domestic legs to allocate",
                empty,
                Warn("mart.university_town_inflow", ROW_COUNT, None, None),
                previous=0,
            ),
        ),
    ),
    Case(
        flight_suites.mart_flight_proxy_index,
        args(),
        "mart.flight_proxy_index",
        R(
            "origin destination year passengers august_share did_std_error",
            ("CN", "US", 2020, 1200, 0.12, 0.05),
            ("DE", "US", 2020, 900, 0.1, None),
        ),
        (
            V(
                "an August share above 1",
                patch(0, august_share=1.2),
                Fail("mart.flight_proxy_index", BETWEEN, "august_share", 1),
            ),
        ),
    ),
    Case(
        flight_suites.mart_town_flight_counts,
        args(),
        "mart.town_flight_counts",
        R("airport_icao day flights", ("KITH", date(2020, 9, 13), 4), ("KITH", date(2020, 9, 14), 0)),
        (
            V("no flight count", patch(1, flights=None), Fail("mart.town_flight_counts", NOT_NULL, "flights", 1)),
            V("a day twice", add(), Fail("mart.town_flight_counts", COMPOUND_UNIQUE, None, 2)),
        ),
    ),
    Case(
        uis_suites.raw_uis_records,
        args(years=YEARS),
        "raw.uis_records",
        R(
            "indicator_id indicator_kind origin_iso3 geo_unit year value source_version",
            ("26637", "outbound_total", None, "CHN", 2020, 1_000_000.0, "20240910"),
            ("MSEP.5T8.CHN", "bilateral", "CHN", "USA", 2020, 300_000.0, "20240910"),
        ),
        (
            V(
                "a bilateral row without origin",
                patch(1, origin_iso3=None),
                Fail("raw.uis_records:bilateral_origin", NOT_NULL, "origin_iso3", 1),
            ),
            V("a regional aggregate", patch(0, geo_unit="WB:WLD"), Fail("raw.uis_records", IN_SET, "geo_unit", 1)),
        ),
    ),
    Case(
        oecd_suites.raw_oecd_observations,
        args(years=YEARS),
        "raw.oecd_observations",
        R(
            "destination_iso3 origin_iso3 year value dataflow",
            ("USA", "CHN", 2020, 300_000.0, "DF_UOE_INTERNAT_MOB"),
            ("DEU", "CHN", 2020, None, "DF_UOE_INTERNAT_MOB"),
        ),
        (
            V(
                "an aggregate origin",
                patch(1, origin_iso3="EU27"),
                Fail("raw.oecd_observations", IN_SET, "origin_iso3", 1),
            ),
            V("a negative count", patch(0, value=-1.0), Fail("raw.oecd_observations", BETWEEN, "value", 1)),
        ),
    ),
    Case(
        open_doors_suites.raw_open_doors,
        {"previous": 2, "last_year": date.today().year},
        "raw.open_doors",
        R(
            "origin destination academic_year_label year students source_page source_line",
            ("CN", "US", "2019/20", 2019, 372_532, "open_doors_china_us.csv", 2),
            ("CN", "US", "2020/21", 2020, 317_299, "open_doors_china_us.csv", 3),
        ),
        (
            V(
                "an academic year written 2019-20",
                patch(0, academic_year_label="2019-20"),
                Fail("raw.open_doors", REGEX, "academic_year_label", 1),
            ),
            V("a year before Open Doors", patch(1, year=1940), Fail("raw.open_doors", BETWEEN, "year", 1)),
            V("no students", patch(1, students=0), Fail("raw.open_doors", BETWEEN, "students", 1)),
        ),
    ),
    Case(
        mobility_suites.core_student_mobility,
        args(),
        "core.student_mobility",
        R(
            "origin destination year source students",
            ("CN", "US", 2020, "uis", 300_000),
            ("IN", "US", 2020, "uis", 200_000),
        ),
        (
            V(
                "students moving within a country",
                patch(1, destination="IN"),
                Fail("core.student_mobility", IN_SET, "same_country", 1),
            ),
        ),
    ),
    Case(
        mobility_suites.core_mobile_students,
        args(),
        "core.mobile_students",
        R(
            "country year source inbound_students outbound_students",
            ("US", 2020, "uis", 950_000, 70_000),
            ("CN", 2020, "uis", None, 1_000_000),
        ),
        (
            V("a code that is no country", patch(0, country="XX"), Fail("core.mobile_students", IN_SET, "country", 1)),
            V(
                "negative inbound students",
                patch(0, inbound_students=-1),
                Fail("core.mobile_students", BETWEEN, "inbound_students", 1),
            ),
        ),
    ),
    Case(
        mobility_suites.mart_student_mobility,
        args(max_yoy=0.5),
        "mart.student_mobility",
        R(
            "origin destination year source students yoy_change index_2018 source_mode",
            ("CN", "US", 2019, "uis", 360_000, None, 1.02, "sample"),
            ("CN", "US", 2020, "uis", 300_000, -0.17, 0.85, "sample"),
        ),
        (
            V(
                "an unknown source_mode",
                patch(0, source_mode="test"),
                Fail("mart.student_mobility", IN_SET, "source_mode", 1),
            ),
            V(
                "a jump beyond COLLAB_MOBILITY_MAX_YOY",
                patch(1, students=600_000, yoy_change=0.67, index_2018=1.7),
                Warn("mart.student_mobility", BETWEEN, "yoy_change", 1),
            ),
        ),
    ),
    Case(
        mobility_suites.mart_student_mobility_best,
        args(),
        "mart.student_mobility_best",
        R(
            "origin destination year source students index_method",
            ("CN", "US", 2019, "uis", 360_000, "same_source"),
            ("CN", "US", 2020, "oecd", 300_000, "chain_linked"),
        ),
        (
            V(
                "two sources for one year",
                add(1, source="uis"),
                Fail("mart.student_mobility_best", COMPOUND_UNIQUE, None, 2),
            ),
            V(
                "an unknown index method",
                patch(0, index_method="guessed"),
                Fail("mart.student_mobility_best", IN_SET, "index_method", 1),
            ),
        ),
    ),
    Case(
        mobility_suites.mart_mobile_students,
        args(),
        "mart.mobile_students",
        R("country year source", ("US", 2020, "uis"), ("CN", 2020, "uis")),
        (V("a country year twice", add(), Fail("mart.mobile_students", COMPOUND_UNIQUE, None, 2)),),
    ),
    Case(
        worldbank_suites.raw_worldbank_indicators,
        args(years=YEARS, indicators=list(INDICATORS)),
        "raw.worldbank_indicators",
        R(
            "indicator country_iso2 country_iso3 year value",
            ("SP.POP.TOTL", "US", "USA", 2020, 331_500_000.0),
            ("GB.XPD.RSDV.GD.ZS", "US", "USA", 2020, 3.45),
        ),
        (
            V(
                "R&D above 100% of GDP",
                patch(1, value=140.0),
                Fail("raw.worldbank_indicators:rd_share", BETWEEN, "value", 1),
            ),
            V(
                "an aggregate",
                patch(0, country_iso3="WLD"),
                Fail("raw.worldbank_indicators", IN_SET, "country_iso3", 1),
            ),
            V(
                "an indicator not asked for",
                patch(0, indicator="XX.NOT.ASKED"),
                Fail("raw.worldbank_indicators", IN_SET, "indicator", 1),
            ),
        ),
    ),
    Case(
        context_suites.core_country_context,
        args(),
        "core.country_context",
        R(
            "country year population rd_spend_usd researchers",
            ("US", 2020, 331_500_000.0, 7.2e11, 1_550_000.0),
            ("CN", 2020, 1_411_000_000.0, None, None),
        ),
        (V("a country year twice", add(), Fail("core.country_context", COMPOUND_UNIQUE, None, 2)),),
    ),
    Case(
        context_suites.mart_country_normalised,
        args(),
        "mart.country_normalised",
        R(
            "country year paper_set share_per_article share_per_million_people papers_per_million_people "
            "share_per_usd_bn_rd papers_per_usd_bn_rd share_per_thousand_researchers papers_per_thousand_researchers",
            ("US", 2020, "all", 0.8, 1.2, 1.5, 0.5, 0.6, 0.3, 0.4),
            ("CN", 2020, "all", 0.9, 0.4, 0.45, None, None, None, None),
        ),
        (
            V(
                "a share above the papers",
                patch(0, share_per_article=1.5),
                Fail("mart.country_normalised", BETWEEN, "share_per_article", 1),
            ),
            V("no paper set", patch(1, paper_set=None), Fail("mart.country_normalised", NOT_NULL, "paper_set", 1)),
        ),
    ),
    Case(
        context_suites.mart_bilateral_dashboard,
        args(),
        "mart.bilateral_dashboard",
        R(
            "country_a country_b year coauthored coauthored_index collaboration_score_index "
            "collaboration_score_nature_index_index students_a_to_b_index students_b_to_a_index "
            "passengers_a_to_b_index students_a_to_b_index_method students_b_to_a_index_method",
            ("CN", "US", 2019, 4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, "same_source", "same_source"),
            ("CN", "US", 2020, 5, 1.25, 1.1, None, 0.85, 0.9, 0.3, "chain_linked", "no_base"),
        ),
        (
            V(
                "an unknown index method",
                patch(1, students_a_to_b_index_method="guessed"),
                Fail("mart.bilateral_dashboard", IN_SET, "students_a_to_b_index_method", 1),
            ),
            V(
                "a negative index",
                patch(1, passengers_a_to_b_index=-0.3),
                Fail("mart.bilateral_dashboard", BETWEEN, "passengers_a_to_b_index", 1),
            ),
        ),
    ),
    Case(
        context_suites.mart_bilateral_breaks,
        args(),
        "mart.bilateral_breaks",
        R(
            "country_a country_b signal break_year n_points n_before n_after source_mode series_basis "
            "slope_change slope_change_p_value chow_p_value reason found_break_year found_break_reason",
            ("CN", "US", "coauthored", 2018, 8, 4, 4, "sample", "level", 0.5, 0.03, 0.04, None, 2019, None),
            (
                "CN",
                "US",
                "students_a_to_b",
                2020,
                6,
                4,
                2,
                "sample",
                "mixed_sources",
                None,
                None,
                None,
                "fewer than three points after",
                None,
                "series too short",
            ),
        ),
        (
            V("points not adding up", patch(0, n_points=9), Fail("mart.bilateral_breaks", IN_SET, "points_add_up", 1)),
            V(
                "an estimate from two points",
                patch(1, slope_change=0.2),
                Fail("mart.bilateral_breaks", IN_SET, "estimate_without_data", 1),
            ),
            V(
                "a null without a reason",
                patch(1, reason=None),
                Fail("mart.bilateral_breaks", IN_SET, "unexplained_null", 1),
            ),
            V(
                "a p-value above 1",
                patch(0, chow_p_value=1.2),
                Fail("mart.bilateral_breaks", BETWEEN, "chow_p_value", 1),
            ),
        ),
    ),
]


# --- the tests --------------------------------------------------------------------------------------------


def table(conn: duckdb.DuckDBPyConnection, name: str, rows: Rows, template: Rows) -> None:
    """`name` holding `rows`, column types as DuckDB infers them from the Python values (an empty table
    keeps the valid table's columns)."""
    frame = pd.DataFrame(rows or template, dtype=object)
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
    conn.register("incoming_rows", frame)
    conn.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming_rows {'' if rows else 'WHERE false'}")
    conn.unregister("incoming_rows")


def evaluate(case: Case, rows: Rows, **changed: Any) -> list[SuiteResult]:
    conn = duckdb.connect()
    try:
        for name, ref_rows in case.refs.items():
            table(conn, name, ref_rows, ref_rows)
        table(conn, case.table, rows, case.rows)
        return [
            validate_query(conn, suite.view_sql.format(table=case.table), suite)
            for suite in case.fn(**{**case.args, **changed})
        ]
    finally:
        conn.close()


def failures(results: list[SuiteResult]) -> list[Fail]:
    found = [Fail(r.suite, f.rule, f.column, f.unexpected_count, f.severity) for r in results for f in r.failures]
    return sorted(found, key=repr)


def warning_rules(case: Case) -> set[tuple[str, str, str | None]]:
    return {
        (suite.name, e.configuration.type, e.configuration.kwargs.get("column"))
        for suite in case.fn(**case.args)
        for e in suite.expectations
        if e.severity == WARNING
    }


VALID = [pytest.param(case, id=case.fn.__name__) for case in CASES]
VARIANTS = [
    pytest.param(case, variant, id=f"{case.fn.__name__}: {variant.label}")
    for case in CASES
    for variant in case.variants
]


def test_every_suite_function_has_cases():
    covered = {case.fn for case in CASES}
    missing = sorted(fn.__qualname__ for fn in suite_functions() - covered - NO_SUITES)
    assert not missing, f"suite functions without a case in tests/test_suites.py CASES: {missing}"
    assert len(covered) == len(CASES), "one case per suite function"
    for fn in NO_SUITES:
        assert fn(previous=10, tolerance=TOLERANCE) == []
    for case in CASES:
        name = case.fn.__name__
        assert any(f.severity == CRITICAL for v in case.variants for f in v.fails), f"{name}: no critical failure"
        warned = {
            (f.suite, f.rule, f.column)
            for v in case.variants
            if all(f.severity == WARNING for f in v.fails)
            for f in v.fails
        }
        assert warning_rules(case) <= warned, f"{name}: warning rules without a warning-only variant"


@pytest.mark.parametrize("case", VALID)
def test_the_minimal_valid_table_passes_every_rule(case: Case):
    results = evaluate(case, case.rows)
    assert failures(results) == []
    assert all(r.success for r in results)
    assert [r.suite for r in results if r.rows == 0] == [], "a suite's view selects no row of the valid table"


@pytest.mark.parametrize(("case", "variant"), VARIANTS)
def test_each_variant_fails_exactly_its_rules(case: Case, variant: Variant):
    results = evaluate(case, variant.edit(case.rows), **variant.args)
    assert failures(results) == sorted(variant.fails, key=repr)
    blocking = any(f.severity == CRITICAL for f in variant.fails)
    assert all(r.success for r in results) is not blocking
    if not blocking:
        assert sum(len(r.warnings) for r in results) == len(variant.fails)
