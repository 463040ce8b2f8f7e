"""ref.nature_index_journals and ref.nature_index_issns: the curated Nature Index journal list.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import polars as pl

from assets.common import check_spec, gated_tables, spec
from assets.reference import suites
from pipeline.reference_rows import reference_load, with_provenance
from pipeline.settings import REPO_ROOT, RunSettings, repo_relative
from pipeline.warehouse import Warehouse

# The CSV stays beside the other curated lists: its path is recorded in every row's `source`.
NATURE_INDEX_CSV = REPO_ROOT / "pipeline" / "reference" / "nature_index_journals.csv"
# The 'nature_index' paper set uses one fixed journal set in every year
# (docs/methods.md#the-paper-universe-and-the-nature-index-set): the 82
# natural-science journals of 2018; journals added later (health sciences, 2023) are listed but
# kept out so that year-on-year changes are not journal-list changes.
FIXED_SET_UNTIL = 2018

JOURNAL_TABLES = ("ref.nature_index_journals", "ref.nature_index_issns")
# ref.nature_index_issns: every ISSN (print and electronic) of the fixed-set journals.
NATURE_INDEX_ISSNS_SQL = (
    "SELECT DISTINCT issn, journal, source, source_mode, retrieved_at FROM ("
    "SELECT unnest([issn_print, issn_electronic]) AS issn, journal, source, source_mode, retrieved_at "
    "FROM ref.nature_index_journals WHERE in_fixed_set) WHERE issn IS NOT NULL"
)


def journals_frame(path: Path = NATURE_INDEX_CSV) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("included_from").cast(pl.Int32, strict=False),
        (pl.col("included_from").cast(pl.Int32, strict=False) <= FIXED_SET_UNTIL).alias("in_fixed_set"),
    )
    return with_provenance(frame, repo_relative(path))


@dg.multi_asset(
    specs=[spec(t, "reference", kinds=("duckdb", "csv")) for t in JOURNAL_TABLES],
    check_specs=[check_spec(t) for t in JOURNAL_TABLES],
    pool="duckdb",
)
def reference_nature_index(
    context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings
) -> Iterator:
    """The curated Nature Index journal list (pipeline/reference/nature_index_journals.csv)."""
    yield from gated_tables(
        context,
        warehouse,
        [
            reference_load(
                "ref.nature_index_journals", "SELECT * FROM incoming_journals", suites.nature_index_journals
            ),
            reference_load("ref.nature_index_issns", NATURE_INDEX_ISSNS_SQL, suites.nature_index_issns),
        ],
        settings=run_settings.get(),
        source="nature_index_journals.csv",
        frames={"incoming_journals": journals_frame()},
        extra={"fixed_set_until": dg.MetadataValue.int(FIXED_SET_UNTIL)},
    )
