"""raw.open_doors: IIE Open Doors, published counts of students from China in US higher education by
academic year, from the versioned seed CSV (IIE has no API). Real figures in every mode."""

from datetime import UTC, date, datetime

import dagster as dg
import polars as pl

from assets.common import ExtractContext, Extracted, RawTableLoad, raw_asset
from assets.open_doors import suites
from assets.open_doors.reader import SEED_CSV, read_seed, seed_version
from assets.open_doors.table import OPEN_DOORS
from pipeline.settings import repo_relative
from pipeline.warehouse import package_sql

GROUP = "mobility"
# The seed's rows are published figures whatever the run's mode (the raw SQL writes 'reference' too).
SOURCE_MODE = "reference"


def extract(run: ExtractContext) -> Extracted:
    frame = read_seed().with_columns(
        pl.lit(seed_version()).alias("source_version"),
        pl.lit(datetime.now(UTC)).alias("retrieved_at"),
    )
    return Extracted(
        frames={"incoming_open_doors": frame},
        metadata={
            "source_mode": dg.MetadataValue.text(SOURCE_MODE),
            "seed": dg.MetadataValue.path(repo_relative(SEED_CSV)),
        },
        source_label=f"iie_open_doors seed ({repo_relative(SEED_CSV)})",
    )


open_doors_raw = raw_asset(
    "open_doors_raw",
    [
        RawTableLoad(
            OPEN_DOORS,
            package_sql(__package__, "raw.sql"),
            lambda previous, settings, _: suites.raw_open_doors(previous, date.today().year),
            # The whole table is the seed: replaced as one, and only when a figure changed.
            scope=None,
            keep_unless_changed=("retrieved_at", "load_id"),
        )
    ],
    extract,
    source="iie_open_doors",
    resource_key=None,
    group=GROUP,
    kinds=("duckdb", "csv"),
    doc="IIE Open Doors: published counts of students from China in US higher education, by academic year, "
    "from the versioned seed CSV (IIE has no API). Real figures in every mode.",
)
