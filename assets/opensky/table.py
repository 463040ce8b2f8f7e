"""raw.opensky_arrivals (declared in tables.yaml beside this module): DDL, incoming frame schema and
dictionary entry."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
OPENSKY_ARRIVALS = TABLES["raw.opensky_arrivals"]

# One arrival row as the raw asset hands it in: every column the raw SQL does not add.
ArrivalRow = OPENSKY_ARRIVALS.record_type("ArrivalRow", list(OPENSKY_ARRIVALS.incoming()))
