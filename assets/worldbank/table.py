"""raw.worldbank_indicators, declared once: DDL, incoming frame schema, record type and dictionary entry."""

from pipeline.tables import RawTable, col, declare, provenance

WORLDBANK_INDICATORS = declare(
    RawTable(
        "raw.worldbank_indicators",
        "World Bank Indicators API observations (population, GDP, R&D spending, researchers), one row per "
        "indicator, country and year; aggregates (World, regions, income groups) are dropped; NULL values are "
        "kept as NULL.",
        (
            col(
                "indicator",
                "VARCHAR",
                "World Bank indicator id: SP.POP.TOTL (population), NY.GDP.MKTP.CD (GDP, current US$), "
                "GB.XPD.RSDV.GD.ZS (R&D expenditure, % of GDP), SP.POP.SCIE.RD.P6 (researchers in R&D per "
                "million people).",
                null=False,
            ),
            col("country_iso2", "VARCHAR", "ISO 3166-1 alpha-2 code.", null=False),
            col("country_iso3", "VARCHAR", "ISO 3166-1 alpha-3 code (countryiso3code).", null=False),
            col("year", "INTEGER", "Year (the API's date).", null=False),
            col("value", "DOUBLE", "The value as published; NULL when the World Bank has none."),
            col("obs_status", "VARCHAR", "The API's obs_status flag."),
            col(
                "last_updated",
                "VARCHAR",
                "meta.lastupdated of the answer (the World Bank's last update of the series).",
            ),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)

# One observation as the connector parses it: every column the raw SQL does not add.
WbObservation = WORLDBANK_INDICATORS.record_type("WbObservation", list(WORLDBANK_INDICATORS.incoming()))
