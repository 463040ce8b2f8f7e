-- mart.student_mobility: internationally mobile tertiary students by origin → destination, one row
-- per (origin, destination, year, source), each source's series kept whole, with its year-on-year
-- change and its index (2018 = 100, within the same source and mode: sources count differently).
WITH series AS (
    SELECT
        m.*,
        lag(m.students) OVER w AS previous_students,
        lag(m.year) OVER w AS previous_year,
        max(m.students) FILTER (WHERE m.year = 2018) OVER (
            PARTITION BY m.origin, m.destination, m.source, m.source_mode
        ) AS students_2018
    FROM core.student_mobility AS m
    WINDOW w AS (PARTITION BY m.origin, m.destination, m.source, m.source_mode ORDER BY m.year)
)
SELECT
    origin,
    destination,
    year,
    academic_year_label,
    students,
    source,
    source_version,
    source_mode,
    -- only against the calendar year before; a gap in the series gives NULL, not a multi-year change
    CASE WHEN previous_year = year - 1 THEN yoy_change(students, previous_students) END AS yoy_change,
    index_to(students, students_2018) AS index_2018,
    territory_policy,
    request,
    retrieved_at
FROM series
