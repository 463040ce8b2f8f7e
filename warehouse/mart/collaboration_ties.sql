-- mart.collaboration_ties: new versus repeat cross-border author ties (docs/methods.md#new-versus-repeat-ties).
-- One row per ordered focus pair (both orders, as mart.bilateral_papers; the two orders hold the same counts)
-- and configured year. A joint paper is a paper of the universe ('all' set) whose K(p) holds both countries,
-- as C_AB of mart.bilateral_papers. An author pair is two distinct OpenAlex author ids on one joint paper, one
-- with an affiliation in A and the other in B (core.authorship_affiliations, territory policy applied),
-- unordered, so the same two people are one tie whichever of them is on which side. A pair is a repeat in
-- year y when it was on an A–B joint paper in the look-back window [y - ties_lookback_years, y - 1], new
-- otherwise; years whose window starts before the data (year_first) are flagged history_censored. Joint
-- papers with more than ties_max_authors authors, or whose byline was truncated and not re-read, are counted
-- as joint papers but give no author pairs (papers_excluded_*).
WITH focus_pairs AS (
    SELECT a.code AS country_a, b.code AS country_b
    FROM unnest(getvariable('focus')) AS a(code), unnest(getvariable('focus')) AS b(code)
    WHERE a.code <> b.code
),
years AS (
    SELECT range::INTEGER AS year FROM range(getvariable('year_first'), getvariable('year_last') + 1)
),
joint AS (
    SELECT
        fp.country_a, fp.country_b, s.year, s.work_id,
        s.n_authorships > getvariable('ties_max_authors') AS is_large,
        coalesce(w.is_authors_truncated AND NOT w.authors_refetched, false) AS is_truncated
    FROM core.paper_set_works AS s
    JOIN core.works AS w USING (work_id)
    JOIN core.work_countries AS ca ON ca.work_id = s.work_id
    JOIN core.work_countries AS cb ON cb.work_id = s.work_id
    JOIN focus_pairs AS fp ON fp.country_a = ca.country AND fp.country_b = cb.country
    WHERE s.paper_set = 'all'
),
eligible AS (
    SELECT DISTINCT work_id FROM joint WHERE NOT is_large AND NOT is_truncated
),
bylines AS (
    SELECT r.work_id, generate_subscripts(r.authorships, 1) AS author_idx, unnest(r.authorships) AS au
    FROM core.work_records AS r
    SEMI JOIN eligible USING (work_id)
),
author_country AS (
    SELECT DISTINCT a.work_id, b.au.author.id AS author_id, a.country
    FROM core.authorship_affiliations AS a
    JOIN bylines AS b USING (work_id, author_idx)
    WHERE b.au.author.id IS NOT NULL
),
paper_pairs AS (
    SELECT DISTINCT
        j.country_a, j.country_b, j.year, j.work_id,
        least(x.author_id, y.author_id) AS author_1,
        greatest(x.author_id, y.author_id) AS author_2
    FROM joint AS j
    JOIN author_country AS x ON x.work_id = j.work_id AND x.country = j.country_a
    JOIN author_country AS y ON y.work_id = j.work_id AND y.country = j.country_b
    WHERE NOT j.is_large AND NOT j.is_truncated AND x.author_id <> y.author_id
),
pair_years AS (
    -- the latest earlier year the same two authors were on a joint paper of this pair decides new/repeat
    SELECT
        country_a, country_b, year, author_1, author_2,
        coalesce(
            year - lag(year) OVER (PARTITION BY country_a, country_b, author_1, author_2 ORDER BY year)
            <= getvariable('ties_lookback_years'),
            false
        ) AS is_repeat
    FROM (SELECT DISTINCT country_a, country_b, year, author_1, author_2 FROM paper_pairs)
),
pair_counts AS (
    SELECT
        country_a, country_b, year,
        count(*) AS author_pairs,
        count_if(NOT is_repeat)::BIGINT AS new_pairs,  -- BIGINT: count_if gives HUGEINT, awkward for clients
        count_if(is_repeat)::BIGINT AS repeat_pairs
    FROM pair_years
    GROUP BY ALL
),
paper_counts AS (
    SELECT
        p.country_a, p.country_b, p.year,
        count(DISTINCT p.work_id) AS papers_with_pairs,
        count(DISTINCT p.work_id) FILTER (WHERE y.is_repeat) AS papers_with_repeat_pair
    FROM paper_pairs AS p
    JOIN pair_years AS y USING (country_a, country_b, year, author_1, author_2)
    GROUP BY ALL
),
joint_counts AS (
    SELECT
        country_a, country_b, year,
        count(DISTINCT work_id) AS joint_papers,
        count(DISTINCT work_id) FILTER (WHERE is_large) AS papers_excluded_large,
        count(DISTINCT work_id) FILTER (WHERE is_truncated AND NOT is_large) AS papers_excluded_truncated
    FROM joint
    GROUP BY ALL
)
SELECT
    fp.country_a,
    fp.country_b,
    y.year,
    coalesce(j.joint_papers, 0) AS joint_papers,
    coalesce(j.papers_excluded_large, 0) AS papers_excluded_large,
    coalesce(j.papers_excluded_truncated, 0) AS papers_excluded_truncated,
    coalesce(pc.papers_with_pairs, 0) AS papers_with_pairs,
    coalesce(c.author_pairs, 0) AS author_pairs,
    coalesce(c.new_pairs, 0) AS new_pairs,
    coalesce(c.repeat_pairs, 0) AS repeat_pairs,
    coalesce(pc.papers_with_repeat_pair, 0) AS papers_with_repeat_pair,
    -- among the joint papers that carry an author pair; NULL when none does
    pc.papers_with_repeat_pair / nullif(pc.papers_with_pairs, 0) AS share_papers_with_repeat_pair,
    y.year - getvariable('ties_lookback_years') < getvariable('year_first') AS history_censored,
    least(getvariable('ties_lookback_years'), y.year - getvariable('year_first'))::INTEGER AS history_years,
    getvariable('ties_lookback_years')::INTEGER AS lookback_years,
    getvariable('ties_max_authors')::INTEGER AS max_authors,
    CASE getvariable('source_mode')
        WHEN 'live' THEN 'joint records fetched for the focus pairs (whole bylines); history from those records'
        ELSE 'every work of the ' || getvariable('source_mode') || ' records'
    END AS method,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.works) AS retrieved_at
FROM focus_pairs AS fp
CROSS JOIN years AS y
LEFT JOIN joint_counts AS j USING (country_a, country_b, year)
LEFT JOIN pair_counts AS c USING (country_a, country_b, year)
LEFT JOIN paper_counts AS pc USING (country_a, country_b, year)
