-- Raw layer: what each source returned, one row per record, with provenance.
-- Idempotent DDL: run before every load. It creates what is missing in the CURRENT shape; a change to a
-- table that already exists is a migration (warehouse/migrations/, pipeline/migrations.py) as well.
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

-- The OpenAlex snapshot (COLLAB_MODE=snapshot): the latest version of each work across the extracted
-- updated_date partitions, merged ids removed, projected to what the indices need (no payload).
CREATE TABLE IF NOT EXISTS raw.openalex_snapshot_works (
    work_id              VARCHAR NOT NULL,
    publication_year     INTEGER,
    type                 VARCHAR,
    is_paratext          BOOLEAN,
    is_retracted         BOOLEAN,
    is_authors_truncated BOOLEAN,            -- always false: snapshot records carry the whole byline
    n_authorships        INTEGER,
    countries            VARCHAR[],
    issns                VARCHAR[],
    authorships          STRUCT(institutions STRUCT(id VARCHAR, country_code VARCHAR)[], countries VARCHAR[])[],
    updated_date         DATE NOT NULL,      -- the snapshot partition the kept version came from
    part_file            VARCHAR NOT NULL,   -- its part file, relative to OPENALEX_SNAPSHOT_DIR
    snapshot_release     VARCHAR NOT NULL,   -- newest updated_date of the snapshot copy it was read from
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,   -- 'snapshot'
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

-- Student mobility ---------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS raw.uis_records (
    indicator_id         VARCHAR NOT NULL,   -- UIS indicator id as requested (e.g. 26637)
    indicator_kind       VARCHAR NOT NULL,   -- inbound_total | outbound_total | bilateral
    origin_iso3          VARCHAR,            -- origin of a bilateral indicator (from its name)
    geo_unit             VARCHAR NOT NULL,   -- ISO-3 country (the destination of a bilateral indicator)
    year                 INTEGER NOT NULL,
    value                DOUBLE,             -- NULL when UIS publishes no number (see magnitude)
    magnitude            VARCHAR,
    qualifier            VARCHAR,
    source_version       VARCHAR NOT NULL,   -- UIS data version the request was pinned to
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.oecd_observations (
    destination_iso3     VARCHAR NOT NULL,   -- REF_AREA: the country of study
    origin_iso3          VARCHAR NOT NULL,   -- the students' country of origin
    year                 INTEGER NOT NULL,
    value                DOUBLE,
    obs_status           VARCHAR,
    unit_mult            INTEGER,
    dimensions           JSON NOT NULL,      -- every SDMX dimension code of the observation
    dataflow             VARCHAR NOT NULL,   -- agency:id(version)
    source_version       VARCHAR,            -- the content constraint's ValidFrom (last update)
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.open_doors (
    origin               VARCHAR NOT NULL,   -- ISO-2, as the seed gives it
    destination          VARCHAR NOT NULL,
    academic_year_label  VARCHAR NOT NULL,   -- '2019/20' as published
    year                 INTEGER NOT NULL,   -- start year of the academic year
    students             BIGINT NOT NULL,
    confirmed            BOOLEAN NOT NULL,
    source_page          VARCHAR NOT NULL,
    retrieved_on         DATE,
    note                 VARCHAR,
    source_line          INTEGER NOT NULL,
    source_version       VARCHAR NOT NULL,   -- seed file name and sha256 prefix
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);

-- Flight-arrival proxies ----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS raw.t100_files (
    file_name            VARCHAR NOT NULL,   -- as dropped into T100_DIR (or bundled sample)
    kind                 VARCHAR NOT NULL,   -- international | domestic
    file_sha256          VARCHAR NOT NULL,
    size_bytes           BIGINT NOT NULL,
    rows_read            BIGINT NOT NULL,
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,   -- when the file was ingested
    load_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.t100_segments (
    kind                 VARCHAR NOT NULL,   -- international | domestic segment file
    year                 INTEGER NOT NULL,
    month                INTEGER NOT NULL,
    unique_carrier       VARCHAR,
    airline_id           BIGINT,
    carrier_name         VARCHAR,
    origin               VARCHAR NOT NULL,   -- airport code as BTS gives it (IATA-like)
    origin_country       VARCHAR,            -- ISO-2 as BTS gives it (HK separate)
    dest                 VARCHAR NOT NULL,
    dest_country         VARCHAR,
    class                VARCHAR,            -- BTS service class
    aircraft_type        VARCHAR,
    aircraft_config      VARCHAR,            -- 1 passenger, 2 freight, 3 combi, 4 seaplane
    unique_carrier_entity VARCHAR,           -- BTS carrier entity (a carrier reports per entity/region)
    region               VARCHAR,            -- BTS operating region (A, D, I, L, P)
    data_source          VARCHAR,
    passengers           BIGINT NOT NULL,
    seats                BIGINT,
    departures_performed BIGINT,
    file_name            VARCHAR NOT NULL,
    file_sha256          VARCHAR NOT NULL,
    source_line          BIGINT NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.soda_passengers (
    year                 INTEGER NOT NULL,
    month                INTEGER NOT NULL,
    usg_apt              VARCHAR NOT NULL,   -- US gateway airport
    fg_apt               VARCHAR NOT NULL,   -- foreign airport
    carrier              VARCHAR NOT NULL,
    carriergroup         INTEGER,            -- 1 US carrier, 0 foreign
    scheduled            BIGINT NOT NULL,
    charter              BIGINT NOT NULL,
    total                BIGINT NOT NULL,
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.opensky_arrivals (
    airport_icao         VARCHAR NOT NULL,   -- the arrival airport asked for
    icao24               VARCHAR NOT NULL,
    first_seen           BIGINT NOT NULL,    -- unix seconds
    last_seen            BIGINT NOT NULL,
    est_departure_airport VARCHAR,
    est_arrival_airport  VARCHAR,
    callsign             VARCHAR,
    window_begin         BIGINT NOT NULL,
    window_end           BIGINT NOT NULL,
    request              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    source_mode          VARCHAR NOT NULL,
    retrieved_at         TIMESTAMPTZ NOT NULL,
    load_id              VARCHAR NOT NULL
);
