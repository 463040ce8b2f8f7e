-- core.pair_joint_records: for every ordered pair (A, B) that co-authored a paper record, the
-- number of joint papers C_AB and the Shares s_A, s_B summed over them (third countries' pieces
-- excluded, as in the Nature Index collaboration score).
WITH pc AS (
    SELECT s.paper_set, s.year, s.work_id, s.retrieved_at, wc.country
    FROM core.paper_set_works AS s JOIN core.work_countries AS wc USING (work_id)
)
SELECT
    a.country AS country_a,
    b.country AS country_b,
    a.year,
    a.paper_set,
    count(*) AS coauthored,
    sum(coalesce(sa.share, 0)) AS share_a_joint,
    sum(coalesce(sb.share, 0)) AS share_b_joint,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,  -- names the snapshot release
    getvariable('source_mode') AS source_mode,
    max(a.retrieved_at) AS retrieved_at
FROM pc AS a
JOIN pc AS b ON a.work_id = b.work_id AND a.paper_set = b.paper_set AND a.country <> b.country
LEFT JOIN core.work_country_shares AS sa ON sa.work_id = a.work_id AND sa.country = a.country
LEFT JOIN core.work_country_shares AS sb ON sb.work_id = b.work_id AND sb.country = b.country
GROUP BY ALL
