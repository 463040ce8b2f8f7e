-- raw.openalex_group_counts rows from the live plan's group_by answers, with provenance added the
-- same way as raw/openalex_works.sql. Input: temp table incoming_group_counts (pipeline assets).
SELECT
    *,
    'openalex' AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_group_counts
