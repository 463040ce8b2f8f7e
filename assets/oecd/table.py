"""raw.oecd_observations, declared once: DDL, incoming frame schema and dictionary entry.

The connector's record (assets.oecd.client.OecdObservation) stays a dataclass of its own: it carries the
SDMX dimension codes as a dict (stored as JSON here), and the asset adds the dataflow and its ValidFrom."""

from pipeline.tables import RawTable, col, declare, provenance

OECD_OBSERVATIONS = declare(
    RawTable(
        "raw.oecd_observations",
        "OECD SDMX observations of international tertiary students by country of origin and destination "
        "(Education at a Glance, agency OECD.EDU.IMEP), one row per destination, origin and year.",
        (
            col("destination_iso3", "VARCHAR", "REF_AREA, the country of study (ISO 3166-1 alpha-3).", null=False),
            col("origin_iso3", "VARCHAR", "The students' country of origin (ISO 3166-1 alpha-3).", null=False),
            col("year", "INTEGER", "TIME_PERIOD.", null=False),
            col("value", "DOUBLE", "OBS_VALUE with UNIT_MULT applied (students)."),
            col("obs_status", "VARCHAR", "SDMX OBS_STATUS flag."),
            col("unit_mult", "INTEGER", "SDMX UNIT_MULT (power of ten) as published."),
            col("dimensions", "JSON", "Every SDMX dimension code of the observation, as JSON.", null=False),
            col("dataflow", "VARCHAR", "The SDMX dataflow, agency:id(version).", null=False),
            col(
                "source_version",
                "VARCHAR",
                "The dataflow content constraint's ValidFrom (last update) when the data were downloaded; the "
                "download is skipped while it is unchanged.",
            ),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)

# Columns the asset adds to the connector's observations (the dimensions as JSON, the dataflow, its ValidFrom).
ADDED_BY_ASSET = ("dimensions", "dataflow", "source_version")
