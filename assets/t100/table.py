"""raw.t100_files and raw.t100_segments (declared in tables.yaml beside this module): DDL, incoming frame
schemas and dictionary entries."""

from pipeline.tables import declare_package

TABLES = declare_package(__package__)
T100_FILES = TABLES["raw.t100_files"]
T100_SEGMENTS = TABLES["raw.t100_segments"]
