-- core.country_year from OpenAlex group_by counts (live mode): N_A and C_A^int for every country,
-- summed over Nature Index ISSN chunks (disjoint by journal). The group_by counts cover the works with
-- at most 100 authors (it sees only the first 100 authorships); the works with more than 100 authors
-- are added from their full records, as country_year.records.sql counts them. Share needs every
-- paper's record, which live mode does not fetch, so it is NULL.
WITH g AS (
    SELECT key, year, paper_set, intl_only, count, retrieved_at FROM raw.openalex_group_counts
    WHERE source_mode = getvariable('source_mode') AND query_kind = 'countries_in_year'
      AND year BETWEEN getvariable('year_first') AND getvariable('year_last')
    UNION ALL
    SELECT wc.country, s.year, s.paper_set, s.intl_only, count(*), max(s.retrieved_at)
    FROM large_byline_works_by_flag('core.paper_set_works') AS s
    JOIN core.work_countries AS wc USING (work_id)
    GROUP BY ALL
),
counts AS (
    SELECT key AS country, year, paper_set,
           sum(count) FILTER (WHERE NOT intl_only) AS papers,
           sum(count) FILTER (WHERE intl_only) AS intl_papers
    FROM g GROUP BY ALL
),
grid AS (
    SELECT k.country, k.paper_set, y.year
    FROM (SELECT DISTINCT country, paper_set FROM counts) AS k
    CROSS JOIN configured_years() AS y
)
SELECT
    g.country, g.year, g.paper_set,
    coalesce(c.papers, 0) AS papers,
    coalesce(c.intl_papers, 0) AS intl_papers,
    NULL::DOUBLE AS share,
    'group_by' AS count_basis,
    'openalex' AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM g) AS retrieved_at
FROM grid AS g
LEFT JOIN counts AS c USING (country, year, paper_set)
