"""raw.uis_records, declared once: DDL, incoming frame schema, record type and dictionary entry."""

from pipeline.tables import RawTable, col, declare, provenance

UIS_RECORDS = declare(
    RawTable(
        "raw.uis_records",
        "UNESCO UIS Data API records (GET /api/public/data/indicators), one row per indicator, geo unit and year, "
        "pinned to one UIS data version. Holds the inbound/outbound totals of internationally mobile tertiary "
        "students and the bilateral origin→destination series UIS publishes.",
        (
            col(
                "indicator_id",
                "VARCHAR",
                "UIS indicator id as requested (26637 = total inbound internationally mobile students; "
                "OE.5T8.40510 = total outbound internationally mobile tertiary students; bilateral ids are "
                "discovered by name through /api/public/definitions/indicators).",
                null=False,
            ),
            col("indicator_kind", "VARCHAR", "'inbound_total', 'outbound_total' or 'bilateral'.", null=False),
            col(
                "origin_iso3",
                "VARCHAR",
                "The students' origin (ISO 3166-1 alpha-3) for a bilateral indicator, read from the indicator "
                "name ('… students from China …'); NULL for totals.",
            ),
            col(
                "geo_unit",
                "VARCHAR",
                "UIS geoUnit (ISO 3166-1 alpha-3): the reporting country of a total, the DESTINATION of a "
                "bilateral series.",
                null=False,
            ),
            col("year", "INTEGER", "Reference year (calendar year of the UIS data).", null=False),
            col("value", "DOUBLE", "The number as published; NULL when UIS publishes none (see magnitude)."),
            col("magnitude", "VARCHAR", "UIS magnitude flag (e.g. NIL)."),
            col("qualifier", "VARCHAR", "UIS qualifier (e.g. UIS_EST for a UIS estimate)."),
            col(
                "source_version",
                "VARCHAR",
                "UIS data version the request was pinned to (UIS_VERSION, else the default version at "
                "extraction, from /api/public/versions/default).",
                null=False,
            ),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)

# Columns the asset adds to the connector's records: the indicator's kind and origin, the pinned version.
ADDED_BY_ASSET = ("indicator_kind", "origin_iso3", "source_version")
# One record as the connector parses it: every column but those the asset and the raw SQL add.
UisRecord = UIS_RECORDS.record_type("UisRecord", list(UIS_RECORDS.incoming(exclude=ADDED_BY_ASSET)))
