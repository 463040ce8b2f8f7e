"""raw.openalex_works and raw.openalex_group_counts (declared in tables.yaml beside this module): DDL,
incoming frame schema and dictionary entry."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
OPENALEX_WORKS = TABLES["raw.openalex_works"]
OPENALEX_GROUP_COUNTS = TABLES["raw.openalex_group_counts"]
