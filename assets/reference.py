"""Reference data that joins the sources: countries, territory policies, Nature Index journals.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import airportsdata
import dagster as dg
import great_expectations.expectations as gxe
import polars as pl
import pycountry

from assets.common import check_spec, gated_tables, spec
from pipeline.dictionary import comments
from pipeline.flights import suites as flight_suites
from pipeline.settings import REPO_ROOT, TERRITORY_POLICIES, load_settings, repo_relative
from pipeline.suites import ISSN_REGEX
from pipeline.validation import EXTRA_COUNTRY_CODES, Suite
from pipeline.warehouse import TableLoad, Warehouse, sql_text

NATURE_INDEX_CSV = REPO_ROOT / "pipeline" / "reference" / "nature_index_journals.csv"
# The 'nature_index' paper set uses one fixed journal set in every year
# (docs/methods.md#the-paper-universe-and-the-nature-index-set): the 82
# natural-science journals of 2018; journals added later (health sciences, 2023) are listed but
# kept out so that year-on-year changes are not journal-list changes.
FIXED_SET_UNTIL = 2018

COUNTRY_TABLES = ("ref.countries", "ref.territory_map")
JOURNAL_TABLES = ("ref.nature_index_journals", "ref.nature_index_issns")
AIRPORT_TABLES = ("ref.airports", "ref.university_towns")
UNIVERSITY_TOWNS_CSV = REPO_ROOT / "pipeline" / "reference" / "university_towns.csv"
REFERENCE_STAMP = ("retrieved_at",)
# ref.nature_index_issns: every ISSN (print and electronic) of the fixed-set journals.
NATURE_INDEX_ISSNS_SQL = (
    "SELECT DISTINCT issn, journal, source, source_mode, retrieved_at FROM ("
    "SELECT unnest([issn_print, issn_electronic]) AS issn, journal, source, source_mode, retrieved_at "
    "FROM ref.nature_index_journals WHERE in_fixed_set) WHERE issn IS NOT NULL"
)


def with_provenance(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Reference rows are the same in every mode: source_mode 'reference', never 'live' or 'sample'."""
    return frame.with_columns(
        pl.lit(source).alias("source"),
        pl.lit("reference").alias("source_mode"),
        pl.lit(datetime.now(UTC)).alias("retrieved_at"),
    )


def countries_frame() -> pl.DataFrame:
    rows = [(c.alpha_2, c.alpha_3, c.numeric, c.name) for c in pycountry.countries]
    rows += [(code, None, None, "Kosovo") for code in EXTRA_COUNTRY_CODES]
    frame = pl.DataFrame(rows, schema=["iso2", "iso3", "numeric", "name"], orient="row")
    return with_provenance(frame, f"pycountry {version('pycountry')}")


def territory_frame() -> pl.DataFrame:
    rows = [(policy, src, dst) for policy, mapping in TERRITORY_POLICIES.items() for src, dst in mapping.items()]
    frame = pl.DataFrame(rows, schema=["policy", "from_code", "to_code"], orient="row")
    return with_provenance(frame, "pipeline.settings.TERRITORY_POLICIES")


def journals_frame(path: Path = NATURE_INDEX_CSV) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("included_from").cast(pl.Int32, strict=False),
        (pl.col("included_from").cast(pl.Int32, strict=False) <= FIXED_SET_UNTIL).alias("in_fixed_set"),
    )
    return with_provenance(frame, repo_relative(path))


def _country_suites(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.countries",
            "SELECT iso2, iso3 FROM {table}",
            [
                gxe.ExpectColumnValuesToBeUnique(column="iso2"),
                gxe.ExpectColumnValuesToMatchRegex(column="iso2", regex=r"^[A-Z]{2}$"),
                gxe.ExpectTableRowCountToBeBetween(min_value=240, max_value=260),
            ],
            id_columns=["iso2"],
        )
    ]


def _journal_suites(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.nature_index_journals",
            "SELECT journal, issn_print, issn_electronic, included_from FROM {table}",
            [
                gxe.ExpectColumnValuesToNotBeNull(column="journal"),
                gxe.ExpectColumnValuesToBeUnique(column="journal"),
                gxe.ExpectColumnValuesToNotBeNull(column="included_from"),
                gxe.ExpectColumnValuesToMatchRegex(column="issn_print", regex=ISSN_REGEX),
                gxe.ExpectColumnValuesToMatchRegex(column="issn_electronic", regex=ISSN_REGEX),
            ],
            id_columns=["journal"],
        )
    ]


def _issn_suites(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.nature_index_issns",
            "SELECT issn, journal FROM {table}",
            [
                gxe.ExpectColumnValuesToBeUnique(column="issn"),
                gxe.ExpectColumnValuesToMatchRegex(column="issn", regex=ISSN_REGEX),
                gxe.ExpectTableRowCountToBeBetween(min_value=1),
            ],
            id_columns=["issn"],
        )
    ]


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "python")) for t in COUNTRY_TABLES],
    check_specs=[check_spec("ref.countries")],
    pool="duckdb",
)
def reference_countries(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """ISO 3166-1 countries from pycountry and the territory policies (HK/MO/TW)."""
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "ref.countries",
                "SELECT * FROM incoming_countries",
                _country_suites,
                comments=comments("ref.countries"),
                keep_unless_changed=REFERENCE_STAMP,
            ),
            TableLoad(
                "ref.territory_map",
                "SELECT * FROM incoming_territory",
                comments=comments("ref.territory_map"),
                keep_unless_changed=REFERENCE_STAMP,
            ),
        ],
        settings=load_settings(),
        source="pycountry",
        frames={"incoming_countries": countries_frame(), "incoming_territory": territory_frame()},
    )


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "csv")) for t in JOURNAL_TABLES],
    check_specs=[check_spec(t) for t in JOURNAL_TABLES],
    pool="duckdb",
)
def reference_nature_index(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """The curated Nature Index journal list (pipeline/reference/nature_index_journals.csv)."""
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "ref.nature_index_journals",
                "SELECT * FROM incoming_journals",
                _journal_suites,
                comments=comments("ref.nature_index_journals"),
                keep_unless_changed=REFERENCE_STAMP,
            ),
            TableLoad(
                "ref.nature_index_issns",
                NATURE_INDEX_ISSNS_SQL,
                _issn_suites,
                comments=comments("ref.nature_index_issns"),
                keep_unless_changed=REFERENCE_STAMP,
            ),
        ],
        settings=load_settings(),
        source="nature_index_journals.csv",
        frames={"incoming_journals": journals_frame()},
        extra={"fixed_set_until": dg.MetadataValue.int(FIXED_SET_UNTIL)},
    )


def airports_frame() -> pl.DataFrame:
    """Every airport with an IATA code (airportsdata): T-100 and DOT speak IATA, OpenSky ICAO."""
    frame = pl.DataFrame(list(airportsdata.load("IATA").values())).select(
        "iata", pl.col("icao").replace("", None), "name", "city", "subd", "country", "lat", "lon", "tz"
    )
    return with_provenance(frame, f"airportsdata {version('airportsdata')}")


def towns_frame(path: Path = UNIVERSITY_TOWNS_CSV) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("university_lat", "university_lon").cast(pl.Float64),
        pl.col("gateway_iata").replace("", None),
    )
    return with_provenance(frame, repo_relative(path))


def _airport_suites(previous: int) -> list[Suite]:
    return [
        Suite(
            "ref.airports",
            "SELECT iata, icao, country, lat, lon FROM {table}",
            [
                gxe.ExpectColumnValuesToBeUnique(column="iata"),
                gxe.ExpectColumnValuesToMatchRegex(column="iata", regex=r"^[A-Z0-9]{3}$"),
                gxe.ExpectColumnValuesToBeBetween(column="lat", min_value=-90, max_value=90),
                gxe.ExpectColumnValuesToBeBetween(column="lon", min_value=-180, max_value=180),
                gxe.ExpectTableRowCountToBeBetween(min_value=5000),
            ],
            id_columns=["iata"],
        )
    ]


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "python")) for t in AIRPORT_TABLES],
    check_specs=[check_spec(t) for t in AIRPORT_TABLES],
    pool="duckdb",
)
def reference_airports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """Airports (airportsdata) and the curated university-town and control airports, with the
    great-circle distance from each university to its airport."""
    yield from gated_tables(
        context,
        warehouse,
        [
            TableLoad(
                "ref.airports",
                "SELECT * FROM incoming_airports",
                _airport_suites,
                comments=comments("ref.airports"),
                keep_unless_changed=REFERENCE_STAMP,
            ),
            TableLoad(
                "ref.university_towns",
                sql_text("ref/university_towns.sql"),
                flight_suites.ref_university_towns,
                comments=comments("ref.university_towns"),
                keep_unless_changed=REFERENCE_STAMP,
            ),
        ],
        settings=load_settings(),
        source="airportsdata + university_towns.csv",
        frames={"incoming_airports": airports_frame(), "incoming_towns": towns_frame()},
    )
