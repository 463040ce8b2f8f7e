"""raw.uis_records (declared in tables.yaml beside this module): DDL, incoming frame schema, record type and
dictionary entry."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
UIS_RECORDS = TABLES["raw.uis_records"]

# Columns the asset adds to the connector's records: the indicator's kind and origin, the pinned version.
ADDED_BY_ASSET = ("indicator_kind", "origin_iso3", "source_version")
# One record as the connector parses it: every column but those the asset and the raw SQL add.
UisRecord = UIS_RECORDS.record_type("UisRecord", list(UIS_RECORDS.incoming(exclude=ADDED_BY_ASSET)))
