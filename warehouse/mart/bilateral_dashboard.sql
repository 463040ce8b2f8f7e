-- mart.bilateral_dashboard: the three signals of a country pair side by side, one row per ordered
-- pair (country_a, country_b) and year: co-authorship (all journals and the Nature Index set),
-- students from a to b and from b to a (best series), and passengers from a into b's gateways (the
-- flight proxy exists for destination US only). Every signal also as an index to COLLAB_BASE_YEAR
-- (= 100) and as a year-on-year change, and each with its own provenance column. NULL where a family has
-- no number. The collaboration score and observed/expected carry 95 % bootstrap intervals where paper
-- records allow (core.pair_year_bootstrap). No index divides a value of one source by a base of another
-- (docs/methods.md): the student indices are mart.student_mobility_best's chain-linked index (2018 = 100),
-- rebased to COLLAB_BASE_YEAR when that is another year, with its method in *_index_method; the paper and
-- passenger signals come from one source in one mode.
WITH papers AS (
    SELECT
        country_a,
        country_b,
        year,
        max(coauthored) FILTER (WHERE paper_set = 'all') AS coauthored,
        max(collaboration_score) FILTER (WHERE paper_set = 'all') AS collaboration_score,
        max(collaboration_score_ci_low) FILTER (WHERE paper_set = 'all') AS collaboration_score_ci_low,
        max(collaboration_score_ci_high) FILTER (WHERE paper_set = 'all') AS collaboration_score_ci_high,
        max(observed_expected) FILTER (WHERE paper_set = 'all') AS observed_expected,
        max(observed_expected_ci_low) FILTER (WHERE paper_set = 'all') AS observed_expected_ci_low,
        max(observed_expected_ci_high) FILTER (WHERE paper_set = 'all') AS observed_expected_ci_high,
        max(coauthored) FILTER (WHERE paper_set = 'nature_index') AS coauthored_nature_index,
        max(collaboration_score) FILTER (WHERE paper_set = 'nature_index') AS collaboration_score_nature_index,
        max(collaboration_score_ci_low) FILTER (WHERE paper_set = 'nature_index')
            AS collaboration_score_nature_index_ci_low,
        max(collaboration_score_ci_high) FILTER (WHERE paper_set = 'nature_index')
            AS collaboration_score_nature_index_ci_high,
        'openalex (' || string_agg(DISTINCT count_basis, '+' ORDER BY count_basis) || ', '
            || string_agg(DISTINCT source_mode, '+' ORDER BY source_mode) || ')' AS papers_provenance,
        max(retrieved_at) AS retrieved_at
    FROM mart.bilateral_papers
    GROUP BY country_a, country_b, year
),
students AS (
    -- yoy and index from the best-series mart: the yoy is NULL where the chosen source changes, the index
    -- is chain-linked at a switch (or NULL after a switch without an overlap year), so neither mixes sources
    SELECT
        origin, destination, year, students, yoy_change AS students_yoy,
        source || ' (' || source_mode || ')' AS provenance,
        -- rebased to the base year: both values sit on the same chain, so the ratio stays within sources
        CASE WHEN getvariable('base_year') = 2018 THEN index_2018
             ELSE index_to(index_2018, max(index_2018) FILTER (WHERE year = getvariable('base_year')) OVER series)
        END AS students_index,
        CASE
            WHEN getvariable('base_year') = 2018 THEN index_method
            WHEN index_2018 IS NULL THEN index_method
            WHEN count(*) FILTER (WHERE year = getvariable('base_year') AND index_2018 IS NOT NULL) OVER series = 0
                THEN 'no_base'
            WHEN index_method = 'same_source' AND max(index_method) FILTER (WHERE year = getvariable('base_year'))
                OVER series = 'same_source' AND max(source || '|' || source_mode) FILTER (
                    WHERE year = getvariable('base_year')) OVER series = source || '|' || source_mode
                THEN 'same_source'
            ELSE 'chain_linked'
        END AS students_index_method
    FROM mart.student_mobility_best
    WINDOW series AS (PARTITION BY origin, destination)
),
flights AS (
    SELECT origin, destination, year, passengers, months_reported, august_share, did_estimate,
           source || ' (' || source_mode || ')' AS provenance
    FROM mart.flight_proxy_index
),
joined AS (
    SELECT
        p.*,
        ab.students AS students_a_to_b,
        ab.students_yoy AS students_a_to_b_yoy,
        ab.students_index AS students_a_to_b_index,
        ab.students_index_method AS students_a_to_b_index_method,
        ab.provenance AS students_a_to_b_provenance,
        ba.students AS students_b_to_a,
        ba.students_yoy AS students_b_to_a_yoy,
        ba.students_index AS students_b_to_a_index,
        ba.students_index_method AS students_b_to_a_index_method,
        ba.provenance AS students_b_to_a_provenance,
        f.passengers AS passengers_a_to_b,
        -- a year with fewer months reported is a partial total: no change or index is taken from it
        CASE WHEN f.months_reported = 12 THEN f.passengers END AS passengers_full_year,
        f.august_share AS passengers_august_share,
        f.did_estimate AS passengers_town_did,
        f.provenance AS passengers_provenance
    FROM papers AS p
    LEFT JOIN students AS ab ON ab.origin = p.country_a AND ab.destination = p.country_b AND ab.year = p.year
    LEFT JOIN students AS ba ON ba.origin = p.country_b AND ba.destination = p.country_a AND ba.year = p.year
    LEFT JOIN flights AS f ON f.origin = p.country_a AND f.destination = p.country_b AND f.year = p.year
)
SELECT
    country_a,
    country_b,
    year,
    coauthored,
    yoy_change(coauthored, lag(coauthored) OVER years) AS coauthored_yoy,
    index_to(coauthored, max(coauthored) FILTER (WHERE year = getvariable('base_year')) OVER pair) AS coauthored_index,
    collaboration_score,
    collaboration_score_ci_low,
    collaboration_score_ci_high,
    yoy_change(collaboration_score, lag(collaboration_score) OVER years) AS collaboration_score_yoy,
    index_to(collaboration_score, max(collaboration_score) FILTER (WHERE year = getvariable('base_year')) OVER pair)
        AS collaboration_score_index,
    coauthored_nature_index,
    collaboration_score_nature_index,
    collaboration_score_nature_index_ci_low,
    collaboration_score_nature_index_ci_high,
    yoy_change(collaboration_score_nature_index, lag(collaboration_score_nature_index) OVER years)
        AS collaboration_score_nature_index_yoy,
    index_to(
        collaboration_score_nature_index,
        max(collaboration_score_nature_index) FILTER (WHERE year = getvariable('base_year')) OVER pair
    ) AS collaboration_score_nature_index_index,
    observed_expected,
    observed_expected_ci_low,
    observed_expected_ci_high,
    papers_provenance,
    students_a_to_b,
    students_a_to_b_yoy,
    students_a_to_b_index,
    students_a_to_b_index_method,
    students_a_to_b_provenance,
    students_b_to_a,
    students_b_to_a_yoy,
    students_b_to_a_index,
    students_b_to_a_index_method,
    students_b_to_a_provenance,
    passengers_a_to_b,
    yoy_change(passengers_full_year, lag(passengers_full_year) OVER years) AS passengers_a_to_b_yoy,
    index_to(passengers_full_year, max(passengers_full_year) FILTER (WHERE year = getvariable('base_year')) OVER pair)
        AS passengers_a_to_b_index,
    passengers_august_share,
    passengers_town_did,
    passengers_provenance,
    getvariable('base_year') AS base_year,
    getvariable('territory_policy') AS territory_policy,
    'openalex+mobility+flights' AS source,
    getvariable('source_mode') AS source_mode,
    retrieved_at
FROM joined
WINDOW pair AS (PARTITION BY country_a, country_b),
    -- the papers grid is zero-filled over the configured years, so the previous row is the previous year
    years AS (PARTITION BY country_a, country_b ORDER BY year)
