"""raw.opensky_arrivals, declared once: DDL, incoming frame schema and dictionary entry."""

from pipeline.tables import RawTable, col, declare, provenance

OPENSKY_ARRIVALS = declare(
    RawTable(
        "raw.opensky_arrivals",
        "OpenSky Network /flights/arrival objects at the university-town and control airports: aircraft movements, "
        "NOT passengers. One call per airport and UTC day.",
        (
            col("airport_icao", "VARCHAR", "The arrival airport asked for (ICAO).", null=False),
            col("icao24", "VARCHAR", "Aircraft transponder address.", null=False),
            col("first_seen", "BIGINT", "First seen (unix seconds).", null=False),
            col("last_seen", "BIGINT", "Last seen, i.e. arrival (unix seconds).", null=False),
            col(
                "est_departure_airport",
                "VARCHAR",
                "Estimated departure airport (ICAO); NULL when OpenSky has no coverage.",
            ),
            col("est_arrival_airport", "VARCHAR", "Estimated arrival airport (ICAO)."),
            col("callsign", "VARCHAR", "Callsign, trimmed."),
            col("window_begin", "BIGINT", "Start of the requested window (unix seconds).", null=False),
            col("window_end", "BIGINT", "End of the requested window (unix seconds, exclusive).", null=False),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)

# One arrival row as the raw asset hands it in: every column the raw SQL does not add.
ArrivalRow = OPENSKY_ARRIVALS.record_type("ArrivalRow", list(OPENSKY_ARRIVALS.incoming()))
