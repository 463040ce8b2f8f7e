-- core.world_year from paper records: N_W (located papers) and C_W^int (international papers,
-- each counted once), per year and paper set.
SELECT
    y.year, ps.paper_set,
    count(s.work_id) FILTER (WHERE s.n_countries >= 1) AS world_papers,
    count(s.work_id) FILTER (WHERE s.n_countries >= 2) AS world_intl_papers,
    'records' AS count_basis,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,  -- names the snapshot release
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.works) AS retrieved_at
FROM configured_years() AS y
CROSS JOIN (SELECT unnest(['all', 'nature_index']) AS paper_set) AS ps
LEFT JOIN core.paper_set_works AS s ON s.year = y.year AND s.paper_set = ps.paper_set
GROUP BY ALL
