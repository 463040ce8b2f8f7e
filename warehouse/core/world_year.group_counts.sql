-- core.world_year in live mode: group_by=publication_year counts of the works with at most 100 authors
-- (the API's countries_distinct_count sees only the first 100 authorships), plus the works with more
-- than 100 authors counted from their full records, as world_year.records.sql counts them.
WITH g AS (
    SELECT year, paper_set, intl_only, count, retrieved_at FROM raw.openalex_group_counts
    WHERE source_mode = getvariable('source_mode') AND query_kind = 'world_by_year'
      AND year BETWEEN getvariable('year_first') AND getvariable('year_last')
    UNION ALL
    SELECT year, paper_set, intl_only, count(*), max(retrieved_at)
    FROM large_byline_works_by_flag('core.paper_set_works')
    GROUP BY ALL
)
SELECT
    y.year, ps.paper_set,
    coalesce(sum(g.count) FILTER (WHERE NOT g.intl_only), 0) AS world_papers,
    coalesce(sum(g.count) FILTER (WHERE g.intl_only), 0) AS world_intl_papers,
    'group_by' AS count_basis,
    'openalex' AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM g) AS retrieved_at
FROM configured_years() AS y
CROSS JOIN (SELECT unnest(['all', 'nature_index']) AS paper_set) AS ps
LEFT JOIN g ON g.year = y.year AND g.paper_set = ps.paper_set
GROUP BY ALL
