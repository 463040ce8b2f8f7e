"""raw.soda_passengers, declared once: DDL, incoming frame schema and dictionary entry."""

from pipeline.tables import RawTable, col, declare, provenance

SODA_PASSENGERS = declare(
    RawTable(
        "raw.soda_passengers",
        "US DOT International_Report_Passengers (Socrata dataset xgub-n9bw): monthly passengers between US gateway "
        "and foreign airports per carrier, BOTH directions (the dataset does not encode direction), type "
        "'Passengers'; numbers arrive as strings and are parsed and checked.",
        (
            col("year", "INTEGER", "Year.", null=False),
            col("month", "INTEGER", "Month (1–12).", null=False),
            col("usg_apt", "VARCHAR", "US gateway airport.", null=False),
            col("fg_apt", "VARCHAR", "Foreign airport.", null=False),
            col("carrier", "VARCHAR", "Carrier code.", null=False),
            col("carriergroup", "INTEGER", "1 = US carrier, 0 = foreign carrier."),
            col("scheduled", "BIGINT", "Passengers on scheduled flights.", null=False),
            col("charter", "BIGINT", "Passengers on charter flights.", null=False),
            col("total", "BIGINT", "scheduled + charter.", null=False),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)
