-- OpenAlex snapshot parts -> the compact work rows the papers pipeline needs (assets/openalex_snapshot/reader.py).
-- Running this file (re)creates an empty temp table snapshot_staged and temporary macros; the reader
-- inserts one updated_date partition at a time into snapshot_staged (from snapshot_jsonl_works or
-- snapshot_parquet_works), projects it with snapshot_work_rows(...) and drops it.
--
-- The fields read are those raw/openalex_works.sql and core/authorship_affiliations.sql take from an
-- API work object, plus primary_location.source.issn, the author ids and institution names/ROR of the
-- authorships, primary_topic's field and domain, and the record's own updated_date (which picks the
-- record to keep among duplicates). Nothing else of the record is materialised.

-- One partition's records, as read: the needed fields only, in the row shape both readers produce.
CREATE OR REPLACE TEMP TABLE snapshot_staged (
    part_file VARCHAR,
    work_id VARCHAR,
    publication_year INTEGER,
    type VARCHAR,
    is_paratext BOOLEAN,
    is_retracted BOOLEAN,
    record_updated VARCHAR,
    issns VARCHAR[],
    authorships STRUCT(author STRUCT(id VARCHAR), institutions STRUCT(id VARCHAR, country_code VARCHAR, display_name VARCHAR, ror VARCHAR)[], countries VARCHAR[])[],
    field_id VARCHAR,
    field VARCHAR,
    domain_id VARCHAR,
    domain VARCHAR
);

-- Gzip JSON Lines parts. ignore_errors: a line that is not a JSON object gives one row of NULLs (never
-- a failed read, never a skipped row), so a NULL work_id counts it exactly; a field of the wrong type is
-- NULL, as in from_json. Blank lines give no row. 64 MiB per record: the largest author lists are a few MB.
CREATE OR REPLACE TEMP MACRO snapshot_jsonl_works(files) AS TABLE
SELECT
    filename AS part_file,
    id AS work_id,
    publication_year,
    type,
    is_paratext,
    is_retracted,
    updated_date AS record_updated,
    primary_location.source.issn AS issns,
    authorships,
    primary_topic.field.id AS field_id,
    primary_topic.field.display_name AS field,
    primary_topic.domain.id AS domain_id,
    primary_topic.domain.display_name AS domain
FROM read_json(
    files,
    format = 'newline_delimited',
    records = true,
    ignore_errors = true,
    filename = true,
    hive_partitioning = false,  -- the records carry their own updated_date; the folder's is a parameter
    maximum_object_size = 67108864,
    columns = {
        'id': 'VARCHAR',
        'publication_year': 'INTEGER',
        'type': 'VARCHAR',
        'is_paratext': 'BOOLEAN',
        'is_retracted': 'BOOLEAN',
        'updated_date': 'VARCHAR',
        'primary_location': 'STRUCT(source STRUCT(issn VARCHAR[]))',
        'authorships': 'STRUCT(author STRUCT(id VARCHAR), institutions STRUCT(id VARCHAR, country_code VARCHAR, display_name VARCHAR, ror VARCHAR)[], countries VARCHAR[])[]',
        'primary_topic': 'STRUCT(field STRUCT(id VARCHAR, display_name VARCHAR), domain STRUCT(id VARCHAR, display_name VARCHAR))'
    }
);

-- Parquet parts (same logical columns, nested types): the same row shape, keeping only the fields needed.
-- No casts here: the INSERT into snapshot_staged casts (an explicit cast of a column Parquet stores with
-- the NULL type, e.g. an all-null issn, trips a DuckDB 2.0 internal error that invalidates the database).
CREATE OR REPLACE TEMP MACRO snapshot_parquet_works(files) AS TABLE
SELECT
    filename AS part_file,
    id AS work_id,
    publication_year,
    type,
    is_paratext,
    is_retracted,
    updated_date AS record_updated,
    primary_location.source.issn AS issns,
    [
        {
            'author': {'id': a.author.id},
            'institutions': [
                {'id': i.id, 'country_code': i.country_code, 'display_name': i.display_name, 'ror': i.ror}
                for i in a.institutions
            ],
            'countries': a.countries
        }
        for a in authorships
    ] AS authorships,
    primary_topic.field.id AS field_id,
    primary_topic.field.display_name AS field,
    primary_topic.domain.id AS domain_id,
    primary_topic.domain.display_name AS domain
FROM read_parquet(files, filename = true, hive_partitioning = false);

-- What each part gave: records (non-blank lines), lines that are not a JSON work object (no id), and
-- works without authorships (missing or empty list).
CREATE OR REPLACE TEMP MACRO snapshot_part_stats() AS TABLE
SELECT
    part_file,
    count(*) AS records,
    count_if(work_id IS NULL) AS bad_lines,
    count_if(work_id IS NOT NULL AND coalesce(len(authorships), 0) = 0) AS no_authorships
FROM snapshot_staged
GROUP BY part_file;

-- Works kept before de-duplication, and how many of them repeat an id already seen in the partition.
-- A work without authorships is kept (and reported): it is an unlocated paper of the universe, as the
-- API path counts it in mart.papers_quality.
CREATE OR REPLACE TEMP MACRO snapshot_usable() AS TABLE
SELECT * REPLACE (coalesce(authorships, []) AS authorships), rowid AS staged_row
FROM snapshot_staged
WHERE work_id IS NOT NULL;

CREATE OR REPLACE TEMP MACRO snapshot_duplicate_count() AS TABLE
SELECT count(*) - count(DISTINCT work_id) AS duplicates FROM snapshot_usable();

-- A few works without authorships, for the partition's report.
CREATE OR REPLACE TEMP MACRO snapshot_no_authorship_samples(n) AS TABLE
SELECT part_file, work_id
FROM snapshot_staged
WHERE work_id IS NOT NULL AND coalesce(len(authorships), 0) = 0
ORDER BY part_file, work_id
LIMIT n;

-- Record numbers (1-based, blank lines not counted) of the lines of ONE part that are not a JSON work
-- object (same reading rules as snapshot_jsonl_works). A gzip file is decompressed and numbered in order.
CREATE OR REPLACE TEMP MACRO snapshot_bad_line_numbers(file, n) AS TABLE
SELECT record_no
FROM read_json(
    file,
    format = 'newline_delimited',
    records = true,
    ignore_errors = true,
    hive_partitioning = false,
    maximum_object_size = 67108864,
    columns = {'id': 'VARCHAR'}
) WITH ORDINALITY AS t(id, record_no)
WHERE id IS NULL
ORDER BY record_no
LIMIT n;

-- The contract rows (one per work id): a duplicate id keeps the record with the newest own updated_date,
-- then the later part file, then the later line. Parsed as raw/openalex_works.sql parses an API work;
-- snapshot records are never truncated.
CREATE OR REPLACE TEMP MACRO snapshot_work_rows(partition_date, release, root_prefix) AS TABLE
WITH usable AS (
    SELECT * FROM snapshot_usable()
),
repeated AS (
    SELECT work_id FROM usable GROUP BY work_id HAVING count(*) > 1
),
superseded AS (
    SELECT staged_row
    FROM (
        SELECT
            staged_row,
            row_number() OVER (
                PARTITION BY work_id
                ORDER BY record_updated DESC NULLS LAST, part_file DESC, staged_row DESC
            ) AS rank_in_id
        FROM usable
        SEMI JOIN repeated USING (work_id)
    )
    WHERE rank_in_id > 1
)
SELECT
    work_id,
    publication_year,
    type,
    is_paratext,
    is_retracted,
    false AS is_authors_truncated,
    len(authorships)::INTEGER AS n_authorships,
    list_sort(list_distinct(flatten([coalesce(a.countries, []) for a in authorships]))) AS countries,
    coalesce(list_filter(issns, lambda x: x IS NOT NULL), []::VARCHAR[]) AS issns,
    [
        {'institutions': [{'id': i.id, 'country_code': i.country_code} for i in a.institutions], 'countries': a.countries}
        for a in authorships
    ] AS authorships,
    [
        {'id': a.author.id, 'institutions': [{'display_name': i.display_name, 'ror': i.ror} for i in a.institutions]}
        for a in authorships
    ] AS authors,
    field_id,
    field,
    domain_id,
    domain,
    partition_date::DATE AS updated_date,
    CASE WHEN starts_with(part_file, root_prefix) THEN substr(part_file, length(root_prefix) + 1) ELSE part_file END
        AS part_file,
    release::VARCHAR AS snapshot_release
FROM usable
ANTI JOIN superseded USING (staged_row);

-- merged_ids/works/YYYY-MM-DD.csv.gz (header merge_date,id,merge_into_id): ids normalised to the API's
-- URL form (a bare "W123" becomes "https://openalex.org/W123"); merge_date falls back to the file's date.
CREATE OR REPLACE TEMP MACRO snapshot_openalex_url(value) AS
    CASE
        WHEN value IS NULL OR trim(value) = '' THEN NULL
        WHEN trim(value) LIKE 'http%' THEN trim(value)
        ELSE 'https://openalex.org/' || upper(trim(value))
    END;

CREATE OR REPLACE TEMP MACRO snapshot_merged_ids(files) AS TABLE
SELECT
    coalesce(
        try_cast(left(merge_date, 10) AS DATE),
        try_strptime(regexp_extract(filename, '(\d{4}-\d{2}-\d{2})\.csv', 1), '%Y-%m-%d')::DATE
    ) AS merge_date,
    snapshot_openalex_url(id) AS id,
    snapshot_openalex_url(merge_into_id) AS merge_into_id
FROM read_csv(
    files,
    header = true,
    auto_detect = false,
    delim = ',',
    quote = '"',
    filename = true,
    hive_partitioning = false,
    columns = {'merge_date': 'VARCHAR', 'id': 'VARCHAR', 'merge_into_id': 'VARCHAR'}
)
WHERE snapshot_openalex_url(id) IS NOT NULL;
