-- mart.bilateral_breaks: one row per ordered pair, signal of mart.bilateral_dashboard and break year
-- (COLLAB_BREAK_YEARS): segmented regression of log values at the break (slopes, their change and its
-- p-value, the level jump), the Chow test, an unknown-break search, CAGR before and after, and how many
-- yearly points each estimate rests on. Estimated in Python (pipeline/breaks.py, statsmodels and
-- ruptures); this file adds the provenance of each signal.
-- Input: temp table incoming_breaks (pipeline.breaks.BREAKS_SCHEMA).
WITH signal_provenance AS (
    SELECT country_a, country_b, signal, string_agg(DISTINCT provenance, '; ' ORDER BY provenance) AS provenance
    FROM (
        SELECT
            country_a,
            country_b,
            unnest(['coauthored', 'collaboration_score', 'collaboration_score_nature_index', 'observed_expected',
                    'students_a_to_b', 'students_b_to_a', 'passengers_a_to_b']) AS signal,
            unnest([papers_provenance, papers_provenance, papers_provenance, papers_provenance,
                    students_a_to_b_provenance, students_b_to_a_provenance, passengers_provenance]) AS provenance
        FROM mart.bilateral_dashboard
    )
    WHERE provenance IS NOT NULL
    GROUP BY ALL
)
SELECT
    b.*,
    'log' AS scale,
    p.provenance,
    'openalex+mobility+flights' AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM mart.bilateral_dashboard) AS retrieved_at
FROM incoming_breaks AS b
LEFT JOIN signal_provenance AS p USING (country_a, country_b, signal)
