"""raw.open_doors (declared in tables.yaml beside this module): DDL, incoming frame schema and dictionary
entry."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
OPEN_DOORS = TABLES["raw.open_doors"]
