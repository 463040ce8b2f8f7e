"""raw.oecd_observations (declared in tables.yaml beside this module): DDL, incoming frame schema and
dictionary entry.

The connector's record (assets.oecd.client.OecdObservation) stays a dataclass of its own: it carries the
SDMX dimension codes as a dict (stored as JSON here), and the asset adds the dataflow and its ValidFrom."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
OECD_OBSERVATIONS = TABLES["raw.oecd_observations"]

# Columns the asset adds to the connector's observations (the dimensions as JSON, the dataflow, its ValidFrom).
ADDED_BY_ASSET = ("dimensions", "dataflow", "source_version")
