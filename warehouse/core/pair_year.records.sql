-- core.pair_year from paper records: every ordered pair that co-authored at least once in the
-- range, zero-filled over the years (a year without joint papers is a known 0, not unknown).
WITH pairs AS (SELECT DISTINCT country_a, country_b, paper_set FROM core.pair_joint_records),
years AS (SELECT year FROM configured_years())
SELECT
    p.country_a, p.country_b, y.year, p.paper_set,
    coalesce(j.coauthored, 0) AS coauthored,
    coalesce(j.share_a_joint, 0) AS share_a_joint,
    coalesce(j.share_b_joint, 0) AS share_b_joint,
    r.*
FROM pairs AS p CROSS JOIN years AS y CROSS JOIN records_provenance('core.works') AS r
LEFT JOIN core.pair_joint_records AS j USING (country_a, country_b, year, paper_set)
