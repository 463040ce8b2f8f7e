"""Reference data that joins the sources: countries, territory policies, Nature Index journals.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import great_expectations.expectations as gxe
import polars as pl
import pycountry

from assets.common import check_spec, gate, materialize_result, spec
from pipeline.dictionary import comments
from pipeline.settings import REPO_ROOT, TERRITORY_POLICIES
from pipeline.suites import ISSN_REGEX
from pipeline.validation import EXTRA_COUNTRY_CODES, Suite
from pipeline.warehouse import TableLoad, Warehouse

NATURE_INDEX_CSV = REPO_ROOT / "pipeline" / "reference" / "nature_index_journals.csv"
# The 'nature_index' paper set uses one fixed journal set in every year (indices.md §2): the 82
# natural-science journals of 2018; journals added later (health sciences, 2023) are listed but
# kept out so that year-on-year changes are not journal-list changes.
FIXED_SET_UNTIL = 2018

COUNTRY_TABLES = ("ref.countries", "ref.territory_map")
JOURNAL_TABLES = ("ref.nature_index_journals", "ref.nature_index_issns")
# ref.nature_index_issns: every ISSN (print and electronic) of the fixed-set journals.
NATURE_INDEX_ISSNS_SQL = (
    "SELECT DISTINCT issn, journal FROM ("
    "SELECT unnest([issn_print, issn_electronic]) AS issn, journal FROM ref.nature_index_journals "
    "WHERE in_fixed_set) WHERE issn IS NOT NULL"
)


def countries_frame() -> pl.DataFrame:
    rows = [(c.alpha_2, c.alpha_3, c.numeric, c.name) for c in pycountry.countries]
    rows += [(code, None, None, "Kosovo") for code in EXTRA_COUNTRY_CODES]
    return pl.DataFrame(rows, schema=["iso2", "iso3", "numeric", "name"], orient="row")


def territory_frame() -> pl.DataFrame:
    rows = [(policy, src, dst) for policy, mapping in TERRITORY_POLICIES.items() for src, dst in mapping.items()]
    return pl.DataFrame(rows, schema=["policy", "from_code", "to_code"], orient="row")


def journals_frame(path: Path = NATURE_INDEX_CSV) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("included_from").cast(pl.Int32, strict=False),
        (pl.col("included_from").cast(pl.Int32, strict=False) <= FIXED_SET_UNTIL).alias("in_fixed_set"),
    )


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
    with warehouse.connection(load_id=context.run.run_id) as conn:
        conn.register("incoming_countries", countries_frame().to_arrow())
        conn.register("incoming_territory", territory_frame().to_arrow())
        report = gate(
            conn,
            [
                TableLoad(
                    "ref.countries",
                    "SELECT * FROM incoming_countries",
                    _country_suites,
                    comments=comments("ref.countries"),
                ),
                TableLoad(
                    "ref.territory_map", "SELECT * FROM incoming_territory", comments=comments("ref.territory_map")
                ),
            ],
            source="pycountry",
        )
        yield from report.check_results
        report.raise_if_failed()
        for outcome in report.outcomes:
            yield materialize_result(conn, outcome)


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "csv")) for t in JOURNAL_TABLES],
    check_specs=[check_spec(t) for t in JOURNAL_TABLES],
    pool="duckdb",
)
def reference_nature_index(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    """The curated Nature Index journal list (pipeline/reference/nature_index_journals.csv)."""
    journals = journals_frame()
    with warehouse.connection(load_id=context.run.run_id) as conn:
        conn.register("incoming_journals", journals.to_arrow())
        report = gate(
            conn,
            [
                TableLoad(
                    "ref.nature_index_journals",
                    "SELECT * FROM incoming_journals",
                    _journal_suites,
                    comments=comments("ref.nature_index_journals"),
                ),
                TableLoad(
                    "ref.nature_index_issns",
                    NATURE_INDEX_ISSNS_SQL,
                    _issn_suites,
                    comments=comments("ref.nature_index_issns"),
                ),
            ],
            source="nature_index_journals.csv",
        )
        yield from report.check_results
        report.raise_if_failed()
        for outcome in report.outcomes:
            yield materialize_result(conn, outcome, {"fixed_set_until": dg.MetadataValue.int(FIXED_SET_UNTIL)})
