-- mart.bilateral_papers_by_field: mart.bilateral_papers within a field (docs/methods.md#collaboration-by-field).
-- One row per ordered pair (both orders), year, paper set, level and group: level 'field' and 'domain' are
-- the work's OpenAlex primary_topic field and domain ('none' when it has no primary topic); level
-- 'subject_group' (paper set 'nature_index' only) is the Nature Index subject group of its journal
-- (ref.nature_index_journals.field). Within a group the universe is the group's works: N_A, C_A^int, Share_A,
-- N_W and C_W^int count only them, and the indices are the same macros as mart.bilateral_papers'. Zero-filled
-- over the years for every pair and group with a joint paper in the range. Records modes (sample, snapshot):
-- every pair. Live mode: only pairs between focus countries, counted from their fetched joint records; the
-- group's country and world totals (levels 'field' and 'domain') come from the plan's group_by counts on the
-- primary topic (query kinds world_by_field and country_by_field: works with at most 100 authors) plus the
-- full records of the works with more than 100 authors, as core/country_year.group_counts.sql counts them;
-- Shares of the universe and the subject groups' totals are NULL, `method` says why. No bootstrap intervals.
WITH live AS (SELECT getvariable('source_mode') = 'live' AS live),
subjects AS (  -- the subject group of each ISSN of the fixed Nature Index journal set
    SELECT i.issn, min(j.field) AS subject_group
    FROM ref.nature_index_issns AS i JOIN ref.nature_index_journals AS j USING (journal)
    GROUP BY i.issn
),
work_subject AS (
    SELECT w.work_id, min(s.subject_group) AS subject_group
    FROM (SELECT work_id, unnest(issns) AS issn FROM core.works WHERE is_nature_index) AS w
    JOIN subjects AS s USING (issn)
    GROUP BY w.work_id
),
tagged AS (
    SELECT s.paper_set, s.year, s.work_id, s.n_countries, r.field_id, r.field, r.domain_id, r.domain, ws.subject_group
    FROM core.paper_set_works AS s
    JOIN core.work_facts AS r USING (work_id)
    LEFT JOIN work_subject AS ws USING (work_id)
),
grouped AS (  -- each universe work once per level
    SELECT paper_set, year, work_id, n_countries, 'field' AS level, coalesce(field_id, 'none') AS field_id,
           coalesce(field, 'No primary topic') AS field, coalesce(domain, 'No primary topic') AS domain
    FROM tagged
    UNION ALL
    SELECT paper_set, year, work_id, n_countries, 'domain', coalesce(domain_id, 'none'),
           coalesce(domain, 'No primary topic'), coalesce(domain, 'No primary topic')
    FROM tagged
    UNION ALL
    SELECT paper_set, year, work_id, n_countries, 'subject_group', subject_group, subject_group, NULL
    FROM tagged WHERE paper_set = 'nature_index' AND subject_group IS NOT NULL
),
labels AS (SELECT level, field_id, min(field) AS field, min(domain) AS domain FROM grouped GROUP BY ALL),
wc AS (SELECT g.*, c.country FROM grouped AS g JOIN core.work_countries AS c USING (work_id)),
topic_counts AS (  -- live: group_by counts per primary-topic key ("21", "unknown") and the large bylines
    SELECT CASE WHEN group_field LIKE 'primary_topic.field.id%' THEN 'field' ELSE 'domain' END AS level,
           key, filter_country AS country, year, paper_set, intl_only, count
    FROM raw.openalex_group_counts
    WHERE source_mode = getvariable('source_mode') AND query_kind IN ('world_by_field', 'country_by_field')
      AND year BETWEEN getvariable('year_first') AND getvariable('year_last') AND (SELECT live FROM live)
),
topic_totals AS (
    SELECT t.level, t.country, t.year, t.paper_set, t.intl_only, t.count,
           CASE WHEN t.key = 'unknown' THEN 'none'
                ELSE 'https://openalex.org/' || (CASE t.level WHEN 'field' THEN 'fields/' ELSE 'domains/' END) || t.key
           END AS field_id
    FROM topic_counts AS t
    UNION ALL  -- the works with more than 100 authors, once for the world (country NULL) and once per country
    SELECT g.level, c.country, s.year, s.paper_set, s.intl_only, count(*), g.field_id
    FROM large_byline_works_by_flag('core.paper_set_works') AS s
    JOIN grouped AS g ON g.work_id = s.work_id AND g.paper_set = s.paper_set AND g.level IN ('field', 'domain')
    JOIN (SELECT work_id, country FROM core.work_countries UNION ALL
          SELECT DISTINCT work_id, NULL FROM core.work_countries) AS c ON c.work_id = s.work_id
    WHERE (SELECT live FROM live)
    GROUP BY ALL
),
topic_covered AS (  -- live: the years and paper sets the plan counted per primary topic
    SELECT DISTINCT year AS covered_year, paper_set AS covered_set FROM topic_counts
),
country_counts AS (
    SELECT country, year, paper_set, level, field_id, count(*) AS papers,
           count(*) FILTER (WHERE n_countries >= 2) AS intl_papers
    FROM wc WHERE NOT (SELECT live FROM live) GROUP BY ALL
    UNION ALL
    SELECT country, year, paper_set, level, field_id, sum(count) FILTER (WHERE NOT intl_only),
           sum(count) FILTER (WHERE intl_only)
    FROM topic_totals WHERE country IS NOT NULL GROUP BY ALL
),
country_shares AS (
    SELECT sh.country, g.year, g.paper_set, g.level, g.field_id, sum(sh.share) AS share
    FROM grouped AS g JOIN core.work_country_shares AS sh USING (work_id)
    WHERE sh.country <> 'UNK'
    GROUP BY ALL
),
world AS (
    SELECT year, paper_set, level, field_id,
           count(*) FILTER (WHERE n_countries >= 1) AS world_papers,
           count(*) FILTER (WHERE n_countries >= 2) AS world_intl_papers
    FROM grouped WHERE NOT (SELECT live FROM live) GROUP BY ALL
    UNION ALL
    SELECT year, paper_set, level, field_id, sum(count) FILTER (WHERE NOT intl_only),
           sum(count) FILTER (WHERE intl_only)
    FROM topic_totals WHERE country IS NULL GROUP BY ALL
),
joint AS (  -- C_AB and the joint Shares within each group; live mode: pairs between focus countries only
    SELECT
        a.country AS country_a, b.country AS country_b, a.year, a.paper_set, a.level, a.field_id,
        count(*) AS coauthored,
        sum(coalesce(sa.share, 0)) AS share_a_joint,
        sum(coalesce(sb.share, 0)) AS share_b_joint
    FROM wc AS a
    JOIN wc AS b
        ON b.work_id = a.work_id AND b.paper_set = a.paper_set AND b.level = a.level AND b.country <> a.country
    LEFT JOIN core.work_country_shares AS sa ON sa.work_id = a.work_id AND sa.country = a.country
    LEFT JOIN core.work_country_shares AS sb ON sb.work_id = b.work_id AND sb.country = b.country
    WHERE NOT (SELECT live FROM live)
       OR (list_contains(getvariable('focus'), a.country) AND list_contains(getvariable('focus'), b.country))
    GROUP BY ALL
),
grid AS (
    SELECT k.*, y.year
    FROM (SELECT DISTINCT country_a, country_b, paper_set, level, field_id FROM joint) AS k
    CROSS JOIN configured_years() AS y
),
filled AS (  -- a group without works in a counted year is a known 0; live mode: NULL where nothing counted it
    SELECT
        g.*,
        coalesce(j.coauthored, 0) AS coauthored,
        coalesce(j.share_a_joint, 0) AS share_a_joint,
        coalesce(j.share_b_joint, 0) AS share_b_joint,
        CASE WHEN NOT m.live OR (g.level <> 'subject_group' AND tc.covered_year IS NOT NULL) THEN true END AS counted,
        CASE WHEN counted THEN coalesce(ca.papers, 0) END AS papers_a,
        CASE WHEN counted THEN coalesce(cb.papers, 0) END AS papers_b,
        CASE WHEN counted THEN coalesce(ca.intl_papers, 0) END AS intl_papers_a,
        CASE WHEN counted THEN coalesce(cb.intl_papers, 0) END AS intl_papers_b,
        CASE WHEN NOT m.live THEN coalesce(sa.share, 0) END AS share_a,
        CASE WHEN NOT m.live THEN coalesce(sb.share, 0) END AS share_b,
        CASE WHEN counted THEN coalesce(w.world_papers, 0) END AS world_papers,
        CASE WHEN counted THEN coalesce(w.world_intl_papers, 0) END AS world_intl_papers,
        CASE WHEN NOT m.live THEN 'records: every work of the paper set in the group'
             WHEN counted
             THEN 'group_by: country and world totals from OpenAlex group_by on the primary topic''s '
                  || g.level || ' (works with at most 100 authors) plus the full records of larger bylines; '
                  || 'joint figures from the joint records; the Shares of the universe (share_a, share_b) '
                  || 'need every work''s record and are NULL'
             WHEN g.level = 'subject_group'
             THEN 'joint records only: live mode counts no Nature Index subject group''s universe, so the '
                  || 'universe columns (country and world totals, Shares of the universe, Salton, Jaccard, '
                  || 'affinity, observed/expected) are NULL'
             ELSE 'joint records only: the live plan counted no primary-topic totals for this year and paper '
                  || 'set, so the universe columns (country and world totals, Shares of the universe, Salton, '
                  || 'Jaccard, affinity, observed/expected) are NULL' END AS method
    FROM grid AS g
    CROSS JOIN live AS m
    LEFT JOIN topic_covered AS tc ON tc.covered_year = g.year AND tc.covered_set = g.paper_set
    LEFT JOIN joint AS j USING (country_a, country_b, year, paper_set, level, field_id)
    LEFT JOIN country_counts AS ca
        ON ca.country = g.country_a AND ca.year = g.year AND ca.paper_set = g.paper_set
       AND ca.level = g.level AND ca.field_id = g.field_id
    LEFT JOIN country_counts AS cb
        ON cb.country = g.country_b AND cb.year = g.year AND cb.paper_set = g.paper_set
       AND cb.level = g.level AND cb.field_id = g.field_id
    LEFT JOIN country_shares AS sa
        ON sa.country = g.country_a AND sa.year = g.year AND sa.paper_set = g.paper_set
       AND sa.level = g.level AND sa.field_id = g.field_id
    LEFT JOIN country_shares AS sb
        ON sb.country = g.country_b AND sb.year = g.year AND sb.paper_set = g.paper_set
       AND sb.level = g.level AND sb.field_id = g.field_id
    LEFT JOIN world AS w
        ON w.year = g.year AND w.paper_set = g.paper_set AND w.level = g.level AND w.field_id = g.field_id
)
SELECT
    f.country_a,
    f.country_b,
    f.year,
    f.paper_set,
    f.level,
    f.field_id,
    l.field,
    l.domain,
    -- BIGINT as in mart.bilateral_papers (a sum of group_by counts would be HUGEINT, awkward for clients)
    f.papers_a::BIGINT AS papers_a,
    f.papers_b::BIGINT AS papers_b,
    f.intl_papers_a::BIGINT AS intl_papers_a,
    f.intl_papers_b::BIGINT AS intl_papers_b,
    f.share_a,
    f.share_b,
    f.world_papers::BIGINT AS world_papers,
    f.world_intl_papers::BIGINT AS world_intl_papers,
    f.coauthored,
    f.share_a_joint,
    f.share_b_joint,
    collaboration_score(f.share_a_joint, f.share_b_joint) AS collaboration_score,
    salton(f.coauthored, f.papers_a, f.papers_b) AS salton,
    jaccard(f.coauthored, f.papers_a, f.papers_b) AS jaccard,
    affinity(f.coauthored, f.intl_papers_a) AS affinity,
    expected_coauthored(f.intl_papers_a, f.intl_papers_b, f.world_intl_papers) AS expected_coauthored,
    observed_expected(f.coauthored, f.intl_papers_a, f.intl_papers_b, f.world_intl_papers) AS observed_expected,
    f.method,
    r.count_basis,
    getvariable('territory_policy') AS territory_policy,
    r.source,
    r.source_mode,
    r.retrieved_at
FROM filled AS f
JOIN labels AS l USING (level, field_id)
CROSS JOIN records_provenance('core.works') AS r
