-- Raw layer: what each source returned, one row per record, with provenance.
-- Idempotent DDL: run before every load.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE IF NOT EXISTS raw.openalex_works (
    work_id              VARCHAR NOT NULL,   -- https://openalex.org/W…
    publication_year     INTEGER,
    type                 VARCHAR,
    is_paratext          BOOLEAN,
    is_retracted         BOOLEAN,
    is_authors_truncated BOOLEAN,            -- as listed (list responses stop at 100 authors)
    authors_refetched    BOOLEAN NOT NULL,   -- payload is the full singleton record
    n_authorships        INTEGER,
    countries            VARCHAR[],          -- union of authorships[].countries, as OpenAlex codes them
    payload              JSON NOT NULL,      -- the work object as received (select= fields)
    request              VARCHAR NOT NULL,   -- URL (secrets removed) or bundled file it came from
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,   -- 'sample' | 'live'
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.openalex_group_counts (
    query_kind           VARCHAR NOT NULL,   -- world_by_year | countries_in_year | partners_in_year
    paper_set            VARCHAR NOT NULL,
    year                 INTEGER NOT NULL,
    intl_only            BOOLEAN NOT NULL,   -- filter countries_distinct_count:>1
    filter_country       VARCHAR,            -- the focus country of partners_in_year
    group_field          VARCHAR NOT NULL,
    key                  VARCHAR NOT NULL,   -- normalised group key (ISO-2 code or year)
    key_display_name     VARCHAR,
    count                BIGINT NOT NULL,
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);
