"""raw.t100_files and raw.t100_segments, declared once: DDL, incoming frame schemas and dictionary entries."""

from pipeline.tables import RawTable, col, declare, provenance

T100_FILES = declare(
    RawTable(
        "raw.t100_files",
        "BTS T-100 segment files ingested from T100_DIR (bundled sample in sample mode), one row per file and "
        "checksum; a file already loaded with the same sha256 is not read again.",
        (
            col("file_name", "VARCHAR", "File name as dropped into the folder.", null=False),
            col(
                "kind",
                "VARCHAR",
                "'international' (T_T100I_SEGMENT_ALL_CARRIER) or 'domestic' (T_T100D_SEGMENT_ALL_CARRIER).",
                null=False,
            ),
            col("file_sha256", "VARCHAR", "SHA-256 of the file.", null=False),
            col("size_bytes", "BIGINT", "File size in bytes.", null=False),
            col("rows_read", "BIGINT", "Data rows read from the file.", null=False),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)

T100_SEGMENTS = declare(
    RawTable(
        "raw.t100_segments",
        "BTS T-100 segment rows (monthly nonstop segments per carrier entity and region, route, aircraft type and "
        "configuration, and service class) as published, every service class kept; numbers that arrive "
        "float-formatted ('8352.00') are parsed to integers. The gate blocks a repeated full key; passengers above "
        "seats and airport codes missing from ref.airports are warnings (real months hold both) and the rows load.",
        (
            col("kind", "VARCHAR", "'international' or 'domestic' segment file.", null=False),
            col("year", "INTEGER", "YEAR.", null=False),
            col("month", "INTEGER", "MONTH (1–12).", null=False),
            col("unique_carrier", "VARCHAR", "UNIQUE_CARRIER."),
            col("airline_id", "BIGINT", "AIRLINE_ID (DOT airline id)."),
            col("carrier_name", "VARCHAR", "UNIQUE_CARRIER_NAME (or CARRIER_NAME)."),
            col("origin", "VARCHAR", "ORIGIN airport code.", null=False),
            col(
                "origin_country",
                "VARCHAR",
                "ORIGIN_COUNTRY (ISO-2 as BTS gives it; HK separate); 'US' for domestic files, which have no "
                "country columns (BTS codes US territories as US).",
            ),
            col("dest", "VARCHAR", "DEST airport code.", null=False),
            col("dest_country", "VARCHAR", "DEST_COUNTRY; 'US' for domestic files."),
            col(
                "class",
                "VARCHAR",
                "CLASS, the BTS service class (F scheduled passenger/cargo, L non-scheduled passenger/cargo, G and P "
                "all-cargo, …); only PASSENGER classes F and L are counted downstream.",
            ),
            col("aircraft_type", "VARCHAR", "AIRCRAFT_TYPE (BTS aircraft type code)."),
            col(
                "aircraft_config",
                "VARCHAR",
                "AIRCRAFT_CONFIG (1 passenger, 2 freight, 3 combi, 4 seaplane): a segment flown in two "
                "configurations is two rows, both counted. NULL for rows loaded before this column existed.",
            ),
            col(
                "unique_carrier_entity",
                "VARCHAR",
                "UNIQUE_CARRIER_ENTITY: a carrier reports per entity (and region), so one carrier, route and "
                "aircraft can have several rows, all counted. NULL for rows loaded before this column existed.",
            ),
            col(
                "region",
                "VARCHAR",
                "REGION, the carrier entity's operating region (A Atlantic, D domestic, I international, L Latin "
                "America, P Pacific). NULL for rows loaded before this column existed.",
            ),
            col("data_source", "VARCHAR", "DATA_SOURCE (US or foreign carrier filing)."),
            col("passengers", "BIGINT", "PASSENGERS.", null=False),
            col("seats", "BIGINT", "SEATS."),
            col("departures_performed", "BIGINT", "DEPARTURES_PERFORMED."),
            col("file_name", "VARCHAR", "The file the row came from.", null=False),
            col("file_sha256", "VARCHAR", "SHA-256 of that file.", null=False),
            col("source_line", "BIGINT", "Line of the row in the file's CSV (line 1 is the header).", null=False),
            # No `request`: a row's provenance is its file (file_name, file_sha256) and line.
            *provenance("source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)
