-- core.pair_year in live mode: C_AB from group_by=authorships.countries filtered on each focus
-- country (both orders) over the works with at most 100 authors, plus the joint works with more than
-- 100 authors counted from their full records (the API's filter and group_by see only their first
-- 100 authorships), zero-filled. Shares come from the fetched joint records, which exist only for
-- pairs between focus countries; for every other pair they are NULL (unknown, not 0).
-- COLLAB_FOCUS=ALL (docs/methods.md#every-pair-from-group_by-collab_focusall): the plan asked the partners
-- of every reference country, so every pair is counted. It shows in the answers as partners asked for a
-- country outside the (record-level) focus; in those years the large-byline pairs of every pair are kept.
WITH g AS (
    SELECT * FROM raw.openalex_group_counts
    WHERE source_mode = getvariable('source_mode') AND query_kind = 'partners_in_year'
      AND year BETWEEN getvariable('year_first') AND getvariable('year_last')
),
partners AS (
    SELECT filter_country AS country_a, key AS country_b, year, paper_set, sum(count) AS coauthored
    FROM g WHERE key <> filter_country GROUP BY ALL
),
both_orders AS (
    -- A pair between two focus countries is counted from both sides; the two answers agree.
    SELECT country_a, country_b, year, paper_set, max(coauthored) AS coauthored
    FROM (SELECT * FROM partners
          UNION ALL SELECT country_b, country_a, year, paper_set, coauthored FROM partners)
    GROUP BY ALL
),
every_pair_years AS (SELECT DISTINCT year FROM g WHERE NOT list_contains(getvariable('focus'), filter_country)),
large AS (SELECT s.paper_set, s.year, s.work_id, wc.country
          FROM large_byline_works('core.paper_set_works') AS s JOIN core.work_countries AS wc USING (work_id)),
large_pairs AS (  -- only the pairs the group_by counts cover: with a focus country, or every pair (ALL)
    SELECT a.country AS country_a, b.country AS country_b, a.year, a.paper_set, count(*) AS coauthored
    FROM large AS a JOIN large AS b ON b.work_id = a.work_id AND b.paper_set = a.paper_set AND b.country <> a.country
    WHERE list_contains(getvariable('focus'), a.country) OR list_contains(getvariable('focus'), b.country)
       OR a.year IN (SELECT year FROM every_pair_years)
    GROUP BY ALL
),
counted AS (
    SELECT country_a, country_b, year, paper_set, sum(coauthored) AS coauthored
    FROM (SELECT * FROM both_orders UNION ALL SELECT * FROM large_pairs)
    GROUP BY ALL
),
pairs AS (SELECT DISTINCT country_a, country_b, paper_set FROM counted),
years AS (SELECT year FROM configured_years()),
record_pairs AS (
    SELECT * FROM core.pair_joint_records
    WHERE list_contains(getvariable('focus'), country_a) AND list_contains(getvariable('focus'), country_b)
)
SELECT
    p.country_a, p.country_b, y.year, p.paper_set,
    coalesce(c.coauthored, 0) AS coauthored,
    CASE WHEN list_contains(getvariable('focus'), p.country_a) AND list_contains(getvariable('focus'), p.country_b)
         THEN coalesce(r.share_a_joint, 0) END AS share_a_joint,
    CASE WHEN list_contains(getvariable('focus'), p.country_a) AND list_contains(getvariable('focus'), p.country_b)
         THEN coalesce(r.share_b_joint, 0) END AS share_b_joint,
    'group_by' AS count_basis,
    'openalex' AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM g) AS retrieved_at
FROM pairs AS p CROSS JOIN years AS y
LEFT JOIN counted AS c USING (country_a, country_b, year, paper_set)
LEFT JOIN record_pairs AS r USING (country_a, country_b, year, paper_set)
