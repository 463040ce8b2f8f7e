-- core.paper_set_works: the works of each paper set ('all' = the paper universe; 'nature_index' =
-- the universe restricted to the curated Nature Index journals), with |K(p)| after the territory policy
-- and the byline's length (live mode counts works with more than 100 authors from these records).
WITH n AS (SELECT work_id, count(*) AS n_countries FROM core.work_countries GROUP BY work_id),
universe AS (
    SELECT w.work_id, w.year, w.is_nature_index, coalesce(n.n_countries, 0) AS n_countries, w.n_authorships,
           w.source, w.source_mode, w.retrieved_at
    FROM core.works AS w LEFT JOIN n USING (work_id)
    WHERE w.in_universe
)
SELECT 'all' AS paper_set, * EXCLUDE (is_nature_index) FROM universe
UNION ALL
SELECT 'nature_index' AS paper_set, * EXCLUDE (is_nature_index) FROM universe WHERE is_nature_index
