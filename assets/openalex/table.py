"""raw.openalex_works and raw.openalex_group_counts, declared once: DDL, incoming frame schema and
dictionary entry."""

from pipeline.tables import RawTable, col, declare, provenance

OPENALEX_WORKS = declare(
    RawTable(
        "raw.openalex_works",
        "OpenAlex work objects as received (select= fields), one row per work, with provenance. Works listed "
        "with a truncated author list are stored as their full singleton record.",
        (
            col("work_id", "VARCHAR", "OpenAlex work id (https://openalex.org/W…).", null=False),
            col("publication_year", "INTEGER", "Publication year as OpenAlex gives it."),
            col("type", "VARCHAR", "OpenAlex work type (article, review, preprint, paratext, …)."),
            col("is_paratext", "BOOLEAN", "OpenAlex paratext flag (covers, tables of contents, mastheads)."),
            col("is_retracted", "BOOLEAN", "OpenAlex retraction flag (from Retraction Watch via Crossref)."),
            col("is_authors_truncated", "BOOLEAN", "True when the list response cut the byline at 100 authors."),
            col(
                "authors_refetched",
                "BOOLEAN",
                "True when the payload is the full record re-fetched from /works/{id}.",
                null=False,
            ),
            col("n_authorships", "INTEGER", "Number of authorships in the stored payload (the whole byline)."),
            col(
                "countries",
                "VARCHAR[]",
                "Union of authorships[].countries as OpenAlex codes them (ISO 3166-1 alpha-2).",
            ),
            col("payload", "JSON", "The work object as JSON.", null=False),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)

OPENALEX_GROUP_COUNTS = declare(
    RawTable(
        "raw.openalex_group_counts",
        "OpenAlex group_by answers of the live plan (counts of works per group key), one row per query and key.",
        (
            col(
                "query_kind",
                "VARCHAR",
                "world_by_year (group_by=publication_year), countries_in_year (group_by=authorships.countries) "
                "or partners_in_year (same, filtered on a focus country).",
                null=False,
            ),
            col(
                "paper_set",
                "VARCHAR",
                "'all' or 'nature_index' (Nature Index journal ISSN filter; chunk counts are summed downstream).",
                null=False,
            ),
            col("year", "INTEGER", "Publication year the count is for.", null=False),
            col(
                "intl_only",
                "BOOLEAN",
                "True when the query kept only international works (countries_distinct_count:>1).",
                null=False,
            ),
            col("filter_country", "VARCHAR", "The focus country the partners_in_year query was filtered on."),
            col("group_field", "VARCHAR", "The group_by field.", null=False),
            col("key", "VARCHAR", "The group key, normalised to an ISO-2 code or a year.", null=False),
            col("key_display_name", "VARCHAR", "The key's display name as OpenAlex returned it."),
            col("count", "BIGINT", "Number of matching works for the key.", null=False),
            *provenance("request", "source", "source_mode", "retrieved_at", "load_id"),
        ),
    )
)
