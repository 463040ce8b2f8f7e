"""How reference rows are stamped: the same in every mode, never 'live' or 'sample'.

Shared by every slice that loads reference rows (assets.reference, the mobility seeds), so no slice imports
another for it.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import polars as pl

from pipeline.dictionary import comments
from pipeline.validation import Suite
from pipeline.warehouse import TableLoad

# A reference reload that changes nothing but these columns keeps the previous rows.
REFERENCE_STAMP = ("retrieved_at",)


def with_provenance(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Reference rows are the same in every mode: source_mode 'reference', never 'live' or 'sample'."""
    return frame.with_columns(
        pl.lit(source).alias("source"),
        pl.lit("reference").alias("source_mode"),
        pl.lit(datetime.now(UTC)).alias("retrieved_at"),
    )


def reference_load(
    table: str, select_sql: str, suites: Callable[[int], Sequence[Suite]] = lambda previous: ()
) -> TableLoad:
    """A whole-table load of reference rows, commented from the dictionary; a reload that would change only
    the stamp keeps the table as it is."""
    return TableLoad(table, select_sql, suites, comments=comments(table), keep_unless_changed=REFERENCE_STAMP)
