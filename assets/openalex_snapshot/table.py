"""raw.openalex_snapshot_works, declared once: DDL and dictionary entry. Loaded by SQL from the extracted
Parquet files (latest.sql), never from a polars frame, so its STRUCT column needs no polars type."""

from pipeline.tables import RawTable, col, declare, provenance

# Per authorship, the institutions and countries the fractional share needs (the reader's projection).
AUTHORSHIP_TYPE = "STRUCT(institutions STRUCT(id VARCHAR, country_code VARCHAR)[], countries VARCHAR[])[]"

OPENALEX_SNAPSHOT_WORKS = declare(
    RawTable(
        "raw.openalex_snapshot_works",
        "Works from a local copy of the OpenAlex snapshot (COLLAB_MODE=snapshot, OPENALEX_SNAPSHOT_DIR): for each "
        "work the version in the newest extracted updated_date partition (a changed work moves to a newer "
        "partition and is never counted twice), works named in merged_ids removed, projected to the fields the "
        "indices need.",
        (
            col("work_id", "VARCHAR", "OpenAlex work id (https://openalex.org/W…).", null=False),
            col("publication_year", "INTEGER", "Publication year."),
            col("type", "VARCHAR", "OpenAlex work type."),
            col("is_paratext", "BOOLEAN", "OpenAlex paratext flag."),
            col("is_retracted", "BOOLEAN", "OpenAlex retraction flag."),
            col("is_authors_truncated", "BOOLEAN", "Always false (snapshot records carry the whole byline)."),
            col("n_authorships", "INTEGER", "Number of authorships."),
            col("countries", "VARCHAR[]", "Union of authorships[].countries."),
            col("issns", "VARCHAR[]", "primary_location.source.issn."),
            col(
                "authorships",
                AUTHORSHIP_TYPE,
                "Per author, the institutions (id, country_code) and countries, for the fractional Share.",
            ),
            col(
                "updated_date",
                "DATE",
                "The snapshot partition (updated_date=…) the kept version came from.",
                null=False,
            ),
            col(
                "part_file", "VARCHAR", "The part file it was read from, relative to OPENALEX_SNAPSHOT_DIR.", null=False
            ),
            col(
                "snapshot_release",
                "VARCHAR",
                "The snapshot release (its newest updated_date partition) the row was extracted from.",
                null=False,
            ),
            *provenance("source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)
