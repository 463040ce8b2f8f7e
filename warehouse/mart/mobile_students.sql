-- mart.mobile_students: inbound and outbound internationally mobile tertiary students per country
-- and year (UIS totals), with outbound year-on-year change and index (2018 = 100).
WITH series AS (
    SELECT
        t.*,
        lag(t.outbound_students) OVER w AS previous_outbound,
        lag(t.inbound_students) OVER w AS previous_inbound,
        lag(t.year) OVER w AS previous_year,
        max(t.outbound_students) FILTER (WHERE t.year = 2018) OVER (PARTITION BY t.country, t.source) AS outbound_2018,
        max(t.inbound_students) FILTER (WHERE t.year = 2018) OVER (PARTITION BY t.country, t.source) AS inbound_2018
    FROM core.mobile_students AS t
    WINDOW w AS (PARTITION BY t.country, t.source ORDER BY t.year)
)
SELECT
    country,
    year,
    inbound_students,
    outbound_students,
    CASE WHEN previous_year = year - 1 THEN yoy_change(inbound_students, previous_inbound) END AS inbound_yoy_change,
    CASE WHEN previous_year = year - 1 THEN yoy_change(outbound_students, previous_outbound) END
        AS outbound_yoy_change,
    index_to(inbound_students, inbound_2018) AS inbound_index_2018,
    index_to(outbound_students, outbound_2018) AS outbound_index_2018,
    source,
    source_version,
    source_mode,
    territory_policy,
    retrieved_at
FROM series
