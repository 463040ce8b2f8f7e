-- core.country_year from paper records (sample mode: every work is a record): full counts
-- N_A, C_A^int and the fractional Share_A, zero-filled over the configured years.
WITH counts AS (
    SELECT wc.country, s.year, s.paper_set, count(*) AS papers,
           count(*) FILTER (WHERE s.n_countries >= 2) AS intl_papers
    FROM core.paper_set_works AS s JOIN core.work_countries AS wc USING (work_id)
    GROUP BY ALL
),
shares AS (
    SELECT sh.country, s.year, s.paper_set, sum(sh.share) AS share
    FROM core.paper_set_works AS s JOIN core.work_country_shares AS sh USING (work_id)
    WHERE sh.country <> 'UNK'
    GROUP BY ALL
),
grid AS (
    SELECT k.country, k.paper_set, y.year
    FROM (SELECT country, paper_set FROM counts UNION SELECT country, paper_set FROM shares) AS k
    CROSS JOIN configured_years() AS y
)
SELECT
    g.country, g.year, g.paper_set,
    coalesce(c.papers, 0) AS papers,
    coalesce(c.intl_papers, 0) AS intl_papers,
    coalesce(sh.share, 0) AS share,
    r.*
FROM grid AS g
CROSS JOIN records_provenance('core.works') AS r
LEFT JOIN counts AS c USING (country, year, paper_set)
LEFT JOIN shares AS sh USING (country, year, paper_set)
