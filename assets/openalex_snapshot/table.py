"""raw.openalex_snapshot_works and raw.openalex_snapshot_facts (declared in tables.yaml beside this module): DDL
and dictionary entries.
Loaded by SQL from the extracted Parquet files (latest.sql), never from a polars frame, so its STRUCT column
needs no polars type."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
OPENALEX_SNAPSHOT_WORKS = TABLES["raw.openalex_snapshot_works"]
OPENALEX_SNAPSHOT_FACTS = TABLES["raw.openalex_snapshot_facts"]
