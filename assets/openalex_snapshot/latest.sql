-- raw.openalex_snapshot_works from the per-partition extracts (one Parquet file per updated_date
-- partition, written by the partitioned raw/openalex_snapshot_parts asset): the latest version of each
-- work, so a work that moved to a newer partition counts once, minus the ids merged into others.
-- Inputs: variable snapshot_files (the Parquet files), temp tables incoming_merged_ids(id) and
-- superseded_versions (superseded.sql: the versions the latest-version rule drops, found on the key columns).
-- Parts extracted before the author ids, institution names/ROR and field/domain were projected lack them:
-- the typed empty relation in front gives every part the current columns (NULL where a part has none).
WITH parts AS (
    SELECT * FROM (
        SELECT
            NULL::STRUCT(id VARCHAR, institutions STRUCT(display_name VARCHAR, ror VARCHAR)[])[] AS authors,
            NULL::VARCHAR AS field_id, NULL::VARCHAR AS field, NULL::VARCHAR AS domain_id, NULL::VARCHAR AS domain
        WHERE false
    )
    UNION ALL BY NAME
    SELECT * FROM read_parquet(getvariable('snapshot_files'), union_by_name = true)
),
versions AS (
    SELECT snapshot_release FROM read_parquet(getvariable('snapshot_files'), union_by_name = true)
)
SELECT
    l.work_id,
    l.publication_year,
    l.type,
    l.is_paratext,
    l.is_retracted,
    l.is_authors_truncated,
    l.n_authorships,
    l.countries,
    l.issns,
    l.authorships,
    l.authors,
    l.field_id,
    l.field,
    l.domain_id,
    l.domain,
    l.updated_date,
    l.part_file,
    l.snapshot_release,
    -- every row names the newest release it is part of, and so does everything built from it
    'openalex_snapshot@' || (SELECT max(snapshot_release) FROM versions) AS source,
    'snapshot' AS source_mode,
    l.retrieved_at,
    getvariable('load_id') AS load_id
FROM parts AS l
ANTI JOIN superseded_versions AS s USING (work_id, updated_date, part_file)
ANTI JOIN incoming_merged_ids AS m ON m.id = l.work_id
