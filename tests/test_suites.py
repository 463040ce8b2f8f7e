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
from dataclasses import dataclass, field, replace
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


def Error(rule: str, column: str | None, count: int | None, view: str = "") -> Fail:
    """A critical failure of the case's own suite, or of its suite `<table>:<view>`; `case` names it."""
    return Fail(f":{view}" if view else "", rule, column, count)


def Warn(rule: str, column: str | None, count: int | None, view: str = "") -> Fail:
    return replace(Error(rule, column, count, view), severity=WARNING)


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


def case(
    fn: Callable[..., Sequence[Suite]],
    rows: Rows,
    *variants: Variant,
    refs: dict[str, Rows] | None = None,
    call: dict[str, Any] | None = None,
) -> Case:
    """The case of `fn` on its table, named as the function is (core_works loads core.works), called with
    `call` (default: args()); the Error and Warn of its variants are named after the table."""
    table = fn.__name__.replace("_", ".", 1)

    def named(fail: Fail) -> Fail:
        return replace(fail, suite=table + fail.suite) if fail.suite[:1] in ("", ":") else fail

    variants = tuple(replace(v, fails=tuple(named(f) for f in v.fails)) for v in variants)
    return Case(fn, args() if call is None else call, table, rows, variants, refs or {})


def unknown_airports(row: int, *columns: str) -> Variant:
    """Airport codes airportsdata does not list in `columns` of `row`: warnings only, the rows load."""
    return V(
        "airport codes airportsdata does not list",
        patch(row, **{c: code for c, code in zip(columns, ("ZZA", "ZZB"), strict=True)}),
        *[Warn(IN_SET, f"{c}_known", 1) for c in columns],
    )


# --- the cases: one per suite function ------------------------------------------------------------------

CASES: list[Case] = [
    case(
        openalex_suites.raw_openalex_works,
        R(
            "work_id publication_year type n_authorships is_paratext is_retracted source_mode countries",
            (W1, 2020, "article", 2, False, False, "sample", ["US", "CN"]),
            (W2, 2021, "article", 1, False, False, "sample", ["XK"]),
        ),
        V("year outside COLLAB_YEARS", patch(0, publication_year=2030), Error(BETWEEN, "publication_year", 1)),
        V("duplicate work id", add(), Error(UNIQUE, "work_id", 2)),
        V("unknown country code", patch(1, countries=["DE", "ZZ"]), Error(IN_SET, "country", 1, view="countries")),
        call=args(years=YEARS),
    ),
    case(
        snapshot_suites.raw_openalex_snapshot_parts,
        R(
            "work_id publication_year n_authorships updated_date snapshot_release source_mode countries",
            (W1, 2020, 2, date(2026, 1, 5), "2026-01-05", "snapshot", ["US", "CN"]),
            (W2, 2021, 0, date(2026, 1, 5), "2026-01-05", "snapshot", []),
        ),
        V("a sample-mode row", patch(1, source_mode="sample"), Error(IN_SET, "source_mode", 1)),
        V("malformed work id", patch(0, work_id="W1"), Error(REGEX, "work_id", 1)),
        V("no updated_date", patch(1, updated_date=None), Error(NOT_NULL, "updated_date", 1)),
        V("an unknown country", patch(0, countries=["US", "XX"]), Error(IN_SET, "country", 1, view="countries")),
        call={},
    ),
    case(
        snapshot_suites.raw_openalex_snapshot_works,
        R("work_id updated_date", (W1, date(2026, 1, 5)), (W2, date(2026, 1, 6))),
        V("a work in two partitions", add(1, updated_date=date(2026, 1, 7)), Error(UNIQUE, "work_id", 2)),
        V("far fewer rows than the previous load", lambda rows: rows, Error(ROW_COUNT, None, None), previous=100),
    ),
    case(
        snapshot_suites.raw_openalex_snapshot_facts,
        R(
            "work_id updated_date shares",
            (
                W1,
                date(2026, 1, 5),
                [{"country": "US", "share": 0.25}, {"country": "CN", "share": 0.5}, {"country": "UNK", "share": 0.25}],
            ),
            (W2, date(2026, 1, 6), [{"country": "DE", "share": 1.0}]),
        ),
        V(
            "Share pieces that do not add up to 1",
            patch(0, shares=[{"country": "US", "share": 0.25}, {"country": "CN", "share": 0.5}]),
            Error(BETWEEN, "share_total", 1, view="shares"),
        ),
        V("a work twice", add(1), Error(UNIQUE, "work_id", 2)),
    ),
    case(
        openalex_suites.raw_openalex_group_counts,
        R(
            "query_kind paper_set year intl_only filter_country key count request group_field",
            ("country_year", "all", 2020, False, None, "US", 10, "r1", "authorships.countries"),
            ("pair_year", "all", 2020, True, "CN", "US", 4, "r2", "authorships.countries"),
        ),
        V("negative count", patch(0, count=-1), Error(BETWEEN, "count", 1)),
        V("an aggregate as a country key", patch(1, key="EU"), Error(IN_SET, "key", 1, view="countries")),
        V("duplicate group", add(1), Error(COMPOUND_UNIQUE, None, 2)),
        V("a live run with no rows", empty, Error(ROW_COUNT, None, None), previous=0, live=True),
        call=args(years=YEARS, live=False),
    ),
    case(
        paper_suites.core_works,
        R("work_id year in_universe", (W1, 2020, True), (W2, 2021, False)),
        V("no year", patch(0, year=None), Error(NOT_NULL, "year", 1)),
    ),
    case(
        paper_suites.core_authorship_affiliations,
        R("work_id author_idx country n_affiliations n_authors", (W1, 0, "US", 1, 2), (W1, 1, "UNK", 2, 2)),
        V("no affiliation counted", patch(0, n_affiliations=0), Error(BETWEEN, "n_affiliations", 1)),
        V("unknown country", patch(1, country="ZZ"), Error(IN_SET, "country", 1)),
    ),
    case(
        paper_suites.core_work_countries,
        R("work_id country", (W1, "US"), (W1, "CN")),
        V("a country twice on a work", add(), Error(COMPOUND_UNIQUE, None, 2)),
    ),
    case(
        paper_suites.core_work_country_shares,
        R("work_id country share", (W1, "US", 0.5), (W1, "CN", 0.5), (W2, "DE", 1.0)),
        V("shares of a paper summing to 0.9", patch(0, share=0.4), Error(BETWEEN, "share_total", 1, view="per_paper")),
        V(
            "a share above 1",
            patch(2, share=1.5),
            Error(BETWEEN, "share", 1),
            Error(BETWEEN, "share_total", 1, view="per_paper"),
        ),
        call=args(previous=3),
    ),
    case(
        paper_suites.core_country_year,
        R(
            "country year paper_set papers intl_papers share",
            ("US", 2020, "all", 10, 4, 7.5),
            ("CN", 2020, "all", 8, 4, 6.5),
        ),
        V("more international papers than papers", patch(0, intl_papers=11), Error(A_AT_LEAST_B, None, 1)),
    ),
    case(
        paper_suites.core_world_year,
        R("year paper_set world_papers world_intl_papers", (2020, "all", 100, 20), (2020, "nature_index", 10, 3)),
        V("a year twice", add(), Error(COMPOUND_UNIQUE, None, 2)),
    ),
    case(
        paper_suites.core_pair_year,
        R(
            "country_a country_b year paper_set coauthored share_a_joint",
            ("US", "CN", 2020, "all", 4, 0.4),
            ("CN", "US", 2020, "all", 4, 0.5),
        ),
        V("more joint papers than country_a's papers", patch(1, coauthored=9), Error(A_AT_LEAST_B, None, 1)),
        refs={"core.country_year": R("country year paper_set papers", ("US", 2020, "all", 10), ("CN", 2020, "all", 8))},
    ),
    case(
        paper_suites.core_pair_year_bootstrap,
        R(
            "country_a country_b year paper_set replicates collaboration_score_ci_low collaboration_score_ci_high "
            "observed_expected_ci_low observed_expected_ci_high",
            ("US", "CN", 2020, "all", 200, 2.0, 3.0, 1.1, 1.4),
            ("CN", "US", 2020, "all", 200, 2.0, 3.0, 1.1, 1.4),
        ),
        V("an interval upside down", patch(0, collaboration_score_ci_high=1.5), Error(A_AT_LEAST_B, None, 1)),
        V("no interval", patch(1, collaboration_score_ci_low=None), Error(NOT_NULL, "collaboration_score_ci_low", 1)),
    ),
    case(
        paper_suites.mart_bilateral_papers,
        R(
            "country_a country_b year paper_set coauthored source_mode salton jaccard affinity observed_expected "
            "collaboration_score",
            ("US", "CN", 2020, "all", 4, "sample", 0.3, 0.2, 0.4, 1.5, 3.2),
            ("CN", "US", 2020, "all", 4, "sample", 0.3, 0.2, 0.5, 1.5, 3.2),
        ),
        V("no mirror pair", drop(1), Error(IN_SET, "mirror_missing", 1, view="symmetry")),
        V("asymmetric Salton index", patch(1, salton=0.35), Error(BETWEEN, "salton_gap", 2, view="symmetry")),
        V(
            "collaboration score above the joint papers",
            lambda rows: patch(1, collaboration_score=5.0)(patch(0, collaboration_score=5.0)(rows)),
            Error(A_AT_LEAST_B, None, 2),
        ),
    ),
    case(
        paper_suites.mart_country_papers,
        R(
            "country year paper_set papers intl_papers share",
            ("US", 2020, "all", 10, 4, 7.5),
            ("CN", 2020, "all", 8, 4, 6.5),
        ),
        V("negative share", patch(1, share=-0.5), Error(BETWEEN, "share", 1)),
    ),
    case(
        paper_suites.mart_papers_quality,
        R(
            "year source works_seen works_in_universe share_authorships_no_country truncated_author_lists "
            "truncated_refetched",
            (2020, "sample", 100, 90, 0.02, 3, 3),
            (2021, "sample", 120, 100, 0.0, 0, 0),
        ),
        V("a truncated author list not re-read", patch(0, truncated_refetched=2), Error(PAIR_EQUAL, None, 1)),
    ),
    case(
        flight_suites.ref_university_towns,
        R(
            "airport_iata role reason allocation_airport university distance_km",
            ("ITH", "university_town", "Cornell's airport", "SYR", "Cornell University", 5.0),
            ("ABQ", "control", "no large campus", "ABQ", None, None),
        ),
        V(
            "an allocation airport not in ref.airports",
            patch(0, allocation_airport="XXX"),
            Error(IN_SET, "allocation_airport_known", 1),
        ),
        V(
            "a campus far from its airport",
            patch(0, distance_km=150.0),
            Error(BETWEEN, "distance_km", 1, view="campus_distance"),
        ),
        V("an unknown role", patch(1, role="town"), Error(IN_SET, "role", 1)),
        refs=AIRPORTS,
        call={"previous": 2},
    ),
    case(
        t100_suites.raw_t100_files,
        R(
            "file_name kind file_sha256 size_bytes rows_read",
            ("T_T100I_SEGMENT_ALL_CARRIER_2020.csv", "international", SHA, 1024, 10),
            ("T_T100D_SEGMENT_ALL_CARRIER_2020.csv", "domestic", SHA[::-1], 2048, 20),
        ),
        V("the same file under two names", add(0, file_name="copy.csv"), Error(UNIQUE, "file_sha256", 2)),
        V("not a sha256", patch(1, file_sha256="abc"), Error(REGEX, "file_sha256", 1)),
        call={"previous": 2},
    ),
    case(
        t100_suites.raw_t100_segments,
        R(
            "kind unique_carrier unique_carrier_entity region origin dest year month aircraft_type aircraft_config "
            "class data_source passengers seats file_name source_line",
            ("international", "UA", "0A1", "I", "FRA", "ORD", 2020, 8, "622", "1", "F", "IF", 250, 300, "t.csv", 2),
            ("international", "UA", "0A1", "I", "FRA", "ORD", 2020, 9, "622", "1", "F", "IF", 260, 300, "t.csv", 3),
        ),
        V("month 13", patch(0, month=13), Error(BETWEEN, "month", 1)),
        V("the same line twice", add(1, source_line=4), Error(COMPOUND_UNIQUE, None, 2)),
        V("an unknown service class", patch(1, **{"class": "Z"}), Error(IN_SET, "class", 1)),
        V("new files without rows", empty, Error(ROW_COUNT, None, None), previous=0),
        V("passengers above seats (a charter)", patch(0, passengers=320), Warn(A_AT_LEAST_B, None, 1)),
        unknown_airports(1, "origin", "dest"),
        refs=AIRPORTS,
        call=args(min_rows=1),
    ),
    case(
        soda_suites.raw_soda_passengers,
        R(
            "year month usg_apt fg_apt carrier scheduled charter total",
            (2020, 1, "JFK", "PEK", "CA", 900, 0, 900),
            (2020, 2, "JFK", "PEK", "CA", 800, 10, 810),
        ),
        V("a year outside COLLAB_YEARS", patch(0, year=2010), Error(BETWEEN, "year", 1)),
        V("no total", patch(1, total=None), Error(NOT_NULL, "total", 1)),
        call=args(years=YEARS),
    ),
    case(
        opensky_suites.raw_opensky_arrivals,
        R(
            "airport_icao icao24 first_seen last_seen window_begin window_end",
            ("KITH", "a1b2c3", 1_600_000_000, 1_600_003_600, 1_599_955_200, 1_600_041_600),
            ("KITH", "d4e5f6", 1_600_010_000, 1_600_012_000, 1_599_955_200, 1_600_041_600),
        ),
        V("landed before taking off", patch(1, last_seen=1_600_000_000), Error(A_AT_LEAST_B, None, 1)),
        V("the same flight twice", add(0, last_seen=1_600_003_700), Error(COMPOUND_UNIQUE, None, 2)),
        call=args(min_rows=0),
    ),
    case(
        flight_suites.core_international_arrivals,
        R(
            "year month us_airport foreign_airport origin_country passengers source",
            (2020, 8, "ORD", "FRA", "DE", 250, "bts_t100"),
            (2020, 8, "JFK", "PEK", "CN", 300, "bts_t100"),
        ),
        V("no origin country", patch(0, origin_country=None), Error(NOT_NULL, "origin_country", 1)),
        unknown_airports(1, "us_airport", "foreign_airport"),
        refs=AIRPORTS,
    ),
    case(
        flight_suites.core_domestic_legs,
        R("year month gateway dest passengers", (2020, 8, "ORD", "ITH", 40), (2020, 8, "JFK", "SYR", 30)),
        V("the same leg twice", add(), Error(COMPOUND_UNIQUE, None, 2)),
        V("no domestic download yet", empty, Warn(ROW_COUNT, None, None), previous=0),
        unknown_airports(0, "gateway", "dest"),
        refs=AIRPORTS,
    ),
    case(
        flight_suites.mart_flight_gateway_arrivals,
        R(
            "year month us_airport origin_country source passengers",
            (2020, 8, "ORD", "DE", "bts_t100", 250),
            (2020, 8, "JFK", "CN", "bts_t100", 300),
        ),
        V("negative passengers", patch(1, passengers=-3), Error(BETWEEN, "passengers", 1)),
    ),
    case(
        flight_suites.mart_university_town_inflow,
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
        V(
            "a gateway share above 1",
            patch(0, gateway_shares=[{"gateway": "JFK", "share": 1.5}]),
            Error(BETWEEN, "share", 1, view="shares"),
        ),
        V("an unknown method", patch(1, method="measured"), Error(IN_SET, "method", 1)),
        V("no domestic legs to allocate", empty, Warn(ROW_COUNT, None, None), previous=0),
    ),
    case(
        flight_suites.mart_flight_proxy_index,
        R(
            "origin destination year passengers august_share did_std_error",
            ("CN", "US", 2020, 1200, 0.12, 0.05),
            ("DE", "US", 2020, 900, 0.1, None),
        ),
        V("an August share above 1", patch(0, august_share=1.2), Error(BETWEEN, "august_share", 1)),
    ),
    case(
        flight_suites.mart_town_flight_counts,
        R("airport_icao day flights", ("KITH", date(2020, 9, 13), 4), ("KITH", date(2020, 9, 14), 0)),
        V("no flight count", patch(1, flights=None), Error(NOT_NULL, "flights", 1)),
        V("a day twice", add(), Error(COMPOUND_UNIQUE, None, 2)),
    ),
    case(
        uis_suites.raw_uis_records,
        R(
            "indicator_id indicator_kind origin_iso3 geo_unit year value source_version",
            ("26637", "outbound_total", None, "CHN", 2020, 1_000_000.0, "20240910"),
            ("MSEP.5T8.CHN", "bilateral", "CHN", "USA", 2020, 300_000.0, "20240910"),
        ),
        V(
            "a bilateral row without origin",
            patch(1, origin_iso3=None),
            Error(NOT_NULL, "origin_iso3", 1, view="bilateral_origin"),
        ),
        V("a regional aggregate", patch(0, geo_unit="WB:WLD"), Error(IN_SET, "geo_unit", 1)),
        call=args(years=YEARS),
    ),
    case(
        oecd_suites.raw_oecd_observations,
        R(
            "destination_iso3 origin_iso3 year value dataflow",
            ("USA", "CHN", 2020, 300_000.0, "DF_UOE_INTERNAT_MOB"),
            ("DEU", "CHN", 2020, None, "DF_UOE_INTERNAT_MOB"),
        ),
        V("an aggregate origin", patch(1, origin_iso3="EU27"), Error(IN_SET, "origin_iso3", 1)),
        V("a negative count", patch(0, value=-1.0), Error(BETWEEN, "value", 1)),
        call=args(years=YEARS),
    ),
    case(
        open_doors_suites.raw_open_doors,
        R(
            "origin destination academic_year_label year students source_page source_line",
            ("CN", "US", "2019/20", 2019, 372_532, "open_doors_china_us.csv", 2),
            ("CN", "US", "2020/21", 2020, 317_299, "open_doors_china_us.csv", 3),
        ),
        V(
            "an academic year written 2019-20",
            patch(0, academic_year_label="2019-20"),
            Error(REGEX, "academic_year_label", 1),
        ),
        V("a year before Open Doors", patch(1, year=1940), Error(BETWEEN, "year", 1)),
        V("no students", patch(1, students=0), Error(BETWEEN, "students", 1)),
        call={"previous": 2, "last_year": date.today().year},
    ),
    case(
        mobility_suites.core_student_mobility,
        R(
            "origin destination year source students",
            ("CN", "US", 2020, "uis", 300_000),
            ("IN", "US", 2020, "uis", 200_000),
        ),
        V("students moving within a country", patch(1, destination="IN"), Error(IN_SET, "same_country", 1)),
    ),
    case(
        mobility_suites.core_mobile_students,
        R(
            "country year source inbound_students outbound_students",
            ("US", 2020, "uis", 950_000, 70_000),
            ("CN", 2020, "uis", None, 1_000_000),
        ),
        V("a code that is no country", patch(0, country="XX"), Error(IN_SET, "country", 1)),
        V("negative inbound students", patch(0, inbound_students=-1), Error(BETWEEN, "inbound_students", 1)),
    ),
    case(
        mobility_suites.mart_student_mobility,
        R(
            "origin destination year source students yoy_change index_2018 source_mode",
            ("CN", "US", 2019, "uis", 360_000, None, 1.02, "sample"),
            ("CN", "US", 2020, "uis", 300_000, -0.17, 0.85, "sample"),
        ),
        V("an unknown source_mode", patch(0, source_mode="test"), Error(IN_SET, "source_mode", 1)),
        V(
            "a jump beyond COLLAB_MOBILITY_MAX_YOY",
            patch(1, students=600_000, yoy_change=0.67, index_2018=1.7),
            Warn(BETWEEN, "yoy_change", 1),
        ),
        call=args(max_yoy=0.5),
    ),
    case(
        mobility_suites.mart_student_mobility_best,
        R(
            "origin destination year source students index_method",
            ("CN", "US", 2019, "uis", 360_000, "same_source"),
            ("CN", "US", 2020, "oecd", 300_000, "chain_linked"),
        ),
        V("two sources for one year", add(1, source="uis"), Error(COMPOUND_UNIQUE, None, 2)),
        V("an unknown index method", patch(0, index_method="guessed"), Error(IN_SET, "index_method", 1)),
    ),
    case(
        mobility_suites.mart_mobile_students,
        R("country year source", ("US", 2020, "uis"), ("CN", 2020, "uis")),
        V("a country year twice", add(), Error(COMPOUND_UNIQUE, None, 2)),
    ),
    case(
        worldbank_suites.raw_worldbank_indicators,
        R(
            "indicator country_iso2 country_iso3 year value",
            ("SP.POP.TOTL", "US", "USA", 2020, 331_500_000.0),
            ("GB.XPD.RSDV.GD.ZS", "US", "USA", 2020, 3.45),
        ),
        V("R&D above 100% of GDP", patch(1, value=140.0), Error(BETWEEN, "value", 1, view="rd_share")),
        V("an aggregate", patch(0, country_iso3="WLD"), Error(IN_SET, "country_iso3", 1)),
        V("an indicator not asked for", patch(0, indicator="XX.NOT.ASKED"), Error(IN_SET, "indicator", 1)),
        call=args(years=YEARS, indicators=list(INDICATORS)),
    ),
    case(
        context_suites.core_country_context,
        R(
            "country year population rd_spend_usd researchers",
            ("US", 2020, 331_500_000.0, 7.2e11, 1_550_000.0),
            ("CN", 2020, 1_411_000_000.0, None, None),
        ),
        V("a country year twice", add(), Error(COMPOUND_UNIQUE, None, 2)),
    ),
    case(
        context_suites.mart_country_normalised,
        R(
            "country year paper_set share_per_article share_per_million_people papers_per_million_people "
            "share_per_usd_bn_rd papers_per_usd_bn_rd share_per_thousand_researchers papers_per_thousand_researchers",
            ("US", 2020, "all", 0.8, 1.2, 1.5, 0.5, 0.6, 0.3, 0.4),
            ("CN", 2020, "all", 0.9, 0.4, 0.45, None, None, None, None),
        ),
        V("a share above the papers", patch(0, share_per_article=1.5), Error(BETWEEN, "share_per_article", 1)),
        V("no paper set", patch(1, paper_set=None), Error(NOT_NULL, "paper_set", 1)),
    ),
    case(
        context_suites.mart_bilateral_dashboard,
        R(
            "country_a country_b year coauthored coauthored_index collaboration_score_index "
            "collaboration_score_nature_index_index students_a_to_b_index students_b_to_a_index "
            "passengers_a_to_b_index students_a_to_b_index_method students_b_to_a_index_method",
            ("CN", "US", 2019, 4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, "same_source", "same_source"),
            ("CN", "US", 2020, 5, 1.25, 1.1, None, 0.85, 0.9, 0.3, "chain_linked", "no_base"),
        ),
        V(
            "an unknown index method",
            patch(1, students_a_to_b_index_method="guessed"),
            Error(IN_SET, "students_a_to_b_index_method", 1),
        ),
        V("a negative index", patch(1, passengers_a_to_b_index=-0.3), Error(BETWEEN, "passengers_a_to_b_index", 1)),
    ),
    case(
        context_suites.mart_bilateral_breaks,
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
        V("points not adding up", patch(0, n_points=9), Error(IN_SET, "points_add_up", 1)),
        V("an estimate from two points", patch(1, slope_change=0.2), Error(IN_SET, "estimate_without_data", 1)),
        V("a null without a reason", patch(1, reason=None), Error(IN_SET, "unexplained_null", 1)),
        V("a p-value above 1", patch(0, chow_p_value=1.2), Error(BETWEEN, "chow_p_value", 1)),
        V("an unknown signal", patch(0, signal="coauthored_typo"), Error(IN_SET, "signal", 1)),
        # the tie signals of mart.collaboration_ties are signals like the dashboard's
        V("a tie signal", patch(0, signal="new_tie_pairs")),
        V("the repeat-share signal", patch(1, signal="share_papers_with_repeat_pair")),
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
