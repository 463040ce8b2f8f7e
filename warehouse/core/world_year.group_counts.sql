-- core.world_year from group_by=publication_year counts (live mode).
WITH g AS (
    SELECT * FROM raw.openalex_group_counts
    WHERE source_mode = getvariable('source_mode') AND query_kind = 'world_by_year'
      AND year BETWEEN getvariable('year_first') AND getvariable('year_last')
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
