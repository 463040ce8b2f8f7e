"""raw.worldbank_indicators (declared in tables.yaml beside this module): DDL, incoming frame schema, record
type and dictionary entry."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
WORLDBANK_INDICATORS = TABLES["raw.worldbank_indicators"]

# One observation as the connector parses it: every column the raw SQL does not add.
WbObservation = WORLDBANK_INDICATORS.record_type("WbObservation", list(WORLDBANK_INDICATORS.incoming()))
