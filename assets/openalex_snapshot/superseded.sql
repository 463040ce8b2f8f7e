-- The superseded versions of works extracted more than once (a work that changed moved to a newer partition,
-- or sits in two parts of one partition read in different batches): every version but the one in the newest
-- partition, then the later part file. Decided on the key columns of the facts files alone (variable
-- snapshot_fact_files), so no window or sort ever carries a work's data; latest.sql and latest_facts.sql
-- anti-join the result (temp table superseded_versions), so both raw tables keep the same versions.
WITH versions AS (
    SELECT work_id, updated_date, part_file
    FROM read_parquet(getvariable('snapshot_fact_files'), union_by_name = true)
)
SELECT work_id, updated_date, part_file
FROM versions
SEMI JOIN (SELECT work_id FROM versions GROUP BY work_id HAVING count(*) > 1) USING (work_id)
QUALIFY row_number() OVER (PARTITION BY work_id ORDER BY updated_date DESC, part_file DESC) > 1
