-- core.world_year from paper records: N_W (located papers) and C_W^int (international papers,
-- each counted once), per year and paper set.
SELECT
    y.year, ps.paper_set,
    count(s.work_id) FILTER (WHERE s.n_countries >= 1) AS world_papers,
    count(s.work_id) FILTER (WHERE s.n_countries >= 2) AS world_intl_papers,
    r.*
FROM configured_years() AS y
CROSS JOIN records_provenance('core.works') AS r
CROSS JOIN (SELECT unnest(['all', 'nature_index']) AS paper_set) AS ps
LEFT JOIN core.paper_set_works AS s ON s.year = y.year AND s.paper_set = ps.paper_set
GROUP BY ALL
