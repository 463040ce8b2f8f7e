"""raw.soda_passengers (declared in tables.yaml beside this module): DDL, incoming frame schema and
dictionary entry."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
SODA_PASSENGERS = TABLES["raw.soda_passengers"]
