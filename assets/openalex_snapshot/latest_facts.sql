-- raw.openalex_snapshot_facts from the per-partition facts files (variable snapshot_fact_files): the same
-- versions raw.openalex_snapshot_works keeps (temp tables superseded_versions and incoming_merged_ids, as in
-- latest.sql), with the same provenance.
WITH facts AS (SELECT * FROM read_parquet(getvariable('snapshot_fact_files'), union_by_name = true))
SELECT
    f.* EXCLUDE (source, source_mode, load_id),
    'openalex_snapshot@' || (SELECT max(snapshot_release) FROM facts) AS source,
    'snapshot' AS source_mode,
    getvariable('load_id') AS load_id
FROM facts AS f
ANTI JOIN superseded_versions AS s USING (work_id, updated_date, part_file)
ANTI JOIN incoming_merged_ids AS m ON m.id = f.work_id
