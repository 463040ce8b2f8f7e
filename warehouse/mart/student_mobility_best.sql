-- mart.student_mobility_best: one reconciled number per (origin, destination, year): the available
-- source with the best precedence in ref.mobility_source_precedence (1 = preferred), named in
-- `source`. yoy_change is left NULL where the chosen source changes from the year before, because a
-- change of source is not a change in students; index_2018 is the chosen source's own index.
WITH ranked AS (
    SELECT
        m.*,
        p.precedence,
        list(m.source ORDER BY p.precedence) OVER (PARTITION BY m.origin, m.destination, m.year)
            AS sources_available,
        row_number() OVER (PARTITION BY m.origin, m.destination, m.year ORDER BY p.precedence) AS pick
    FROM mart.student_mobility AS m
    JOIN ref.mobility_source_precedence AS p ON p.mobility_source = m.source
),
best AS (
    SELECT
        *,
        lag(source) OVER w AS previous_source,
        lag(students) OVER w AS previous_students,
        lag(year) OVER w AS previous_year
    FROM ranked
    WHERE pick = 1
    WINDOW w AS (PARTITION BY origin, destination ORDER BY year)
)
SELECT
    origin,
    destination,
    year,
    academic_year_label,
    students,
    source,
    precedence AS source_precedence,
    sources_available,
    source_version,
    source_mode,
    CASE WHEN previous_year = year - 1 AND previous_source = source
         THEN yoy_change(students, previous_students) END AS yoy_change,
    index_2018,
    territory_policy,
    retrieved_at
FROM best
