"""Run the real warehouse SQL chain (raw → core → mart) on hand-made OpenAlex works, without Dagster.

`build_marts(works)` gives a DuckDB connection holding the same tables the sample-mode assets write:
ref tables (countries, territory map, Nature Index journals and ISSNs), raw.openalex_works parsed by
assets/openalex/openalex_works.sql, every core table (record tables, then the `.records.sql` counts)
and the three marts, each written through `load_gated` + `TableLoad` + `sql_text` as the assets do
(no suites: nothing is validated, the SQL is the subject under test).

`work(...)` builds an OpenAlex-shaped work object from a compact author spec.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

import assets.openalex_snapshot.table  # noqa: F401  (declares raw.openalex_snapshot_works: core SQL reads it)
from assets.common import RAW_SCOPE
from assets.openalex.client import WorkRecord
from assets.openalex.raw import incoming_works_frame
from assets.papers import BOOTSTRAP_TABLES, CORE_RECORD_TABLES, COUNT_TABLES
from assets.reference.countries import countries_frame, territory_frame
from assets.reference.journals import NATURE_INDEX_ISSNS_SQL, journals_frame
from pipeline.settings import Settings, load_settings
from pipeline.warehouse import TableLoad, connect, init_schema, load_gated, package_sql, set_variables, sql_text

OPENALEX = "https://openalex.org/"
MART_TABLES = ("mart.bilateral_papers", "mart.country_papers", "mart.papers_quality")
RETRIEVED_AT = datetime(2025, 1, 1, tzinfo=UTC)
LOAD_ID = "sqlharness"

# One author: a list of institution country codes (None = an institution without a country; [] = an
# unlocated author), or a mapping {"countries": [...]} (no institutions, only the countries field) or
# {"institutions": [(id, code), ...], "countries": [...]} for full control.
AuthorSpec = Sequence[str | None] | Mapping[str, Any]


# The reference tables every paper SQL reads, from the incoming_* frames registered beside them.
REFERENCE_LOADS = [
    TableLoad("ref.countries", "SELECT * FROM incoming_countries"),
    TableLoad("ref.territory_map", "SELECT * FROM incoming_territory"),
    TableLoad("ref.nature_index_journals", "SELECT * FROM incoming_journals"),
    TableLoad("ref.nature_index_issns", NATURE_INDEX_ISSNS_SQL),
]


def work_id(key: str) -> str:
    """`W1` → `https://openalex.org/W1` (full ids pass through)."""
    return key if key.startswith("http") else OPENALEX + key


def _authorship(wid: str, position: int, count: int, spec: AuthorSpec) -> dict[str, Any]:
    short = wid.rsplit("/", 1)[-1]
    if isinstance(spec, Mapping):
        institutions = [
            {
                "id": inst_id if inst_id is None or inst_id.startswith("http") else OPENALEX + inst_id,
                "display_name": f"Institution {inst_id}",
                "ror": None,
                "country_code": code,
                "type": "education",
            }
            for inst_id, code in spec.get("institutions", [])
        ]
        default_countries = sorted({i["country_code"] for i in institutions if i["country_code"] is not None})
        countries = list(spec.get("countries", default_countries))
    else:
        institutions = [
            {
                "id": f"{OPENALEX}I{short}x{position}x{k}",
                "display_name": f"Institution {k} ({code})",
                "ror": None,
                "country_code": code,
                "type": "education",
            }
            for k, code in enumerate(spec)
        ]
        # OpenAlex: authorships[].countries = the distinct non-null country codes of the institutions
        countries = sorted({code for code in spec if code is not None})
    return {
        "author_position": "first" if position == 0 else "last" if position == count - 1 else "middle",
        "author": {"id": f"{OPENALEX}A{short}x{position}", "display_name": f"Author {position}", "orcid": None},
        "institutions": institutions,
        "countries": countries,
        "is_corresponding": position == 0,
        "raw_author_name": f"Author {position}",
        "raw_affiliation_strings": [i["display_name"] for i in institutions],
        "affiliations": [
            {"raw_affiliation_string": i["display_name"], "institution_ids": [i["id"]]} for i in institutions
        ],
    }


def work(
    key: str,
    year: int,
    authors: Sequence[AuthorSpec],
    *,
    type: str = "article",
    is_paratext: bool = False,
    is_retracted: bool = False,
    issn: Sequence[str] | None = None,
    is_authors_truncated: bool = False,
) -> dict[str, Any]:
    """An OpenAlex work object (the WORK_FIELDS the client selects) from a compact spec.

    `work("W1", 2020, [["CN"], ["CN", "US"], ["US"], ["US"]])`: four authors, the second with one
    CN and one US institution. Each code gets its own institution with a synthetic id.
    """
    wid = work_id(key)
    authorships = [_authorship(wid, i, len(authors), a) for i, a in enumerate(authors)]
    source = None
    if issn is not None:
        source = {
            "id": f"{OPENALEX}S{key}",
            "display_name": f"Journal of {key}",
            "issn_l": issn[0] if issn else None,
            "issn": list(issn),
            "type": "journal",
        }
    countries = {c for a in authorships for c in a["countries"]}
    institutions = {i["id"] for a in authorships for i in a["institutions"]}
    return {
        "id": wid,
        "doi": None,
        "display_name": f"Synthetic work {key}",
        "publication_year": year,
        "publication_date": f"{year}-06-01",
        "type": type,
        "is_paratext": is_paratext,
        "is_retracted": is_retracted,
        "is_authors_truncated": is_authors_truncated,
        "primary_location": {"id": f"doi:{key}", "is_oa": False, "source": source},
        "authorships": authorships,
        "countries_distinct_count": len(countries),
        "institutions_distinct_count": len(institutions),
    }


@functools.cache
def _reference_arrow() -> tuple[pa.Table, pa.Table, pa.Table]:
    return countries_frame().to_arrow(), territory_frame().to_arrow(), journals_frame().to_arrow()


def harness_settings(works: Sequence[Mapping[str, Any]], env: Mapping[str, str] | None = None) -> Settings:
    years = [w["publication_year"] for w in works] or [2020]
    defaults = {"COLLAB_MODE": "sample", "COLLAB_YEARS": f"{min(years)}-{max(years)}"}
    return load_settings({**defaults, **(env or {})})


def build_marts(
    works: Sequence[Mapping[str, Any]], env: Mapping[str, str] | None = None, db_path: str = ":memory:"
) -> duckdb.DuckDBPyConnection:
    """A warehouse holding ref, raw, core and mart tables built from `works` by the real SQL."""
    settings = harness_settings(works, env)
    conn = connect(db_path)
    try:
        init_schema(conn)
        set_variables(conn, settings, load_id=LOAD_ID, scope_first=settings.years[0], scope_last=settings.years[1])
        countries, territory, journals = _reference_arrow()
        conn.register("incoming_countries", countries)
        conn.register("incoming_territory", territory)
        conn.register("incoming_journals", journals)
        load_gated(conn, REFERENCE_LOADS)
        records = [WorkRecord(payload=dict(w), request="tests/sqlharness", retrieved_at=RETRIEVED_AT) for w in works]
        conn.register("incoming_openalex_works", incoming_works_frame(records).to_arrow())
        load_gated(
            conn,
            [
                TableLoad(
                    "raw.openalex_works",
                    package_sql("assets.openalex", "openalex_works.sql"),
                    scope=RAW_SCOPE.format(year="publication_year"),
                ),
            ],
        )
        core = [TableLoad(t, sql_text(f"core/{t.split('.')[1]}.sql")) for t in CORE_RECORD_TABLES]
        counts = [TableLoad(t, sql_text(f"core/{t.split('.')[1]}.records.sql")) for t in COUNT_TABLES]
        counts += [TableLoad(t, sql_text(f"core/{t.split('.')[1]}.sql")) for t in BOOTSTRAP_TABLES]
        marts = [TableLoad(t, sql_text(f"mart/{t.split('.')[1]}.sql")) for t in MART_TABLES]
        load_gated(conn, [*core, *counts, *marts])
        for name in ("incoming_countries", "incoming_territory", "incoming_journals", "incoming_openalex_works"):
            conn.unregister(name)
    except BaseException:
        conn.close()
        raise
    return conn


def fetch_dicts(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of a query as dicts (column name → value)."""
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def bilateral(
    conn: duckdb.DuckDBPyConnection, a: str, b: str, year: int | None = None, paper_set: str = "all"
) -> dict[str, Any]:
    """The one mart.bilateral_papers row of (a, b) in `year` (the only year when None)."""
    rows = fetch_dicts(
        conn,
        "SELECT * FROM mart.bilateral_papers WHERE country_a = ? AND country_b = ? AND paper_set = ? "
        "AND (year = ? OR ? IS NULL)",
        [a, b, paper_set, year, year],
    )
    assert len(rows) == 1, f"expected one mart.bilateral_papers row for {a}-{b} {year} {paper_set}, got {rows}"
    return rows[0]


def country(
    conn: duckdb.DuckDBPyConnection, code: str, year: int | None = None, paper_set: str = "all"
) -> dict[str, Any]:
    """The one mart.country_papers row of `code` in `year` (the only year when None)."""
    rows = fetch_dicts(
        conn,
        "SELECT * FROM mart.country_papers WHERE country = ? AND paper_set = ? AND (year = ? OR ? IS NULL)",
        [code, paper_set, year, year],
    )
    assert len(rows) == 1, f"expected one mart.country_papers row for {code} {year} {paper_set}, got {rows}"
    return rows[0]
