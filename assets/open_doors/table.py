"""raw.open_doors, declared once: DDL, incoming frame schema and dictionary entry."""

from pipeline.tables import RawTable, col, declare, provenance

OPEN_DOORS = declare(
    RawTable(
        "raw.open_doors",
        "IIE Open Doors: published counts of students from one country in another's higher education by academic "
        "year, from the versioned seed pipeline/reference/open_doors_china_us.csv (IIE has no API). Real published "
        "figures in every mode, so source_mode is 'reference'. Counts include undergraduate, graduate, non-degree "
        "and OPT students; 'China' is the mainland.",
        (
            col("origin", "VARCHAR", "Students' country of origin (ISO 3166-1 alpha-2).", null=False),
            col("destination", "VARCHAR", "Country of study (ISO 3166-1 alpha-2).", null=False),
            col("academic_year_label", "VARCHAR", "Academic year as published, e.g. '2019/20'.", null=False),
            col("year", "INTEGER", "Start year of the academic year ('2019/20' → 2019).", null=False),
            col("students", "BIGINT", "Number of students as published.", null=False),
            col(
                "confirmed",
                "BOOLEAN",
                "False when the exact figure could not be confirmed from the cited page (see note).",
                null=False,
            ),
            col("source_page", "VARCHAR", "The page the figure was transcribed from.", null=False),
            col("retrieved_on", "DATE", "Date the figure was transcribed into the seed."),
            col("note", "VARCHAR", "Caveats about the figure."),
            col("source_line", "INTEGER", "Line of the seed CSV (for error messages).", null=False),
            col(
                "source_version",
                "VARCHAR",
                "Seed file name and the first 12 hex digits of its sha256.",
                null=False,
            ),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)
