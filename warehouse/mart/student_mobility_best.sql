-- mart.student_mobility_best: one reconciled number per (origin, destination, year): the available
-- source with the best precedence in ref.mobility_source_precedence (1 = preferred), named in
-- `source`. The series never mixes modes: a sample run takes only synthetic rows ('sample'); a real run
-- (live, snapshot) takes its own rows and the published seeds ('reference'), which are real in every
-- mode. In sample mode the real Open Doors rows stay in mart.student_mobility as their own series.
-- yoy_change is NULL where the chosen source changes from the year before (a change of source is
-- not a change in students). index_2018 is the index of this series
-- (docs/methods.md#the-reconciled-student-series-martstudent_mobility_best): never a value of one
-- source divided by a base of another. Rows of the 2018 row's
-- source: students / that source's 2018 value ('same_source'). Rows of another source are chain-linked
-- through an overlap year at each source switch, the year nearest the switch where both sources have
-- a value ('chain_linked'); a switch without such a year breaks the series and the index is NULL from
-- there on away from 2018 ('broken'); no 2018 row: NULL ('no_base'). index_method says which.
WITH eligible AS (
    SELECT m.*, p.precedence
    FROM mart.student_mobility AS m
    JOIN ref.mobility_source_precedence AS p ON p.mobility_source = m.source
    WHERE (m.source_mode = 'sample') = (getvariable('source_mode') = 'sample')
),
ranked AS (
    SELECT
        *,
        list(source ORDER BY precedence, source) OVER (PARTITION BY origin, destination, year) AS sources_available,
        row_number() OVER (PARTITION BY origin, destination, year ORDER BY precedence, source) AS pick
    FROM eligible
),
best AS (
    SELECT
        *,
        lag(source) OVER w AS previous_source,
        lag(source_mode) OVER w AS previous_mode,
        lag(students) OVER w AS previous_students,
        lag(year) OVER w AS previous_year
    FROM ranked
    WHERE pick = 1
    WINDOW w AS (PARTITION BY origin, destination ORDER BY year)
),
-- a segment: a run of consecutive rows of the series from one source and mode (0, 1, 2, ...)
segmented AS (
    SELECT
        *,
        sum(CASE WHEN previous_source IS DISTINCT FROM source OR previous_mode IS DISTINCT FROM source_mode
                 THEN 1 ELSE 0 END) OVER (PARTITION BY origin, destination ORDER BY year) - 1 AS segment
    FROM best
),
segments AS (
    SELECT origin, destination, segment, any_value(source) AS source, any_value(source_mode) AS source_mode,
           min(year) AS first_year, max(year) AS last_year
    FROM segmented
    GROUP BY origin, destination, segment
),
-- The link between segment k-1 and segment k: the overlap year nearest the switch where both sources
-- have a value (the old segment's last year if the new source has it, else the new segment's first year if
-- the old source has it), and ratio = old source / new source in that year. NULL ratio: no overlap.
links AS (
    SELECT
        s.origin,
        s.destination,
        s.segment,
        CASE WHEN new_then.students > 0 THEN prev.last_year
             WHEN old_now.students > 0 THEN s.first_year END AS link_year,
        CASE WHEN new_then.students > 0 THEN old_then.students::DOUBLE / new_then.students
             WHEN old_now.students > 0 THEN old_now.students::DOUBLE / new_now.students END AS link_ratio
    FROM segments AS s
    JOIN segments AS prev
        ON prev.origin = s.origin AND prev.destination = s.destination AND prev.segment = s.segment - 1
    JOIN best AS old_then
        ON old_then.origin = s.origin AND old_then.destination = s.destination AND old_then.year = prev.last_year
    JOIN best AS new_now
        ON new_now.origin = s.origin AND new_now.destination = s.destination AND new_now.year = s.first_year
    LEFT JOIN eligible AS new_then
        ON new_then.origin = s.origin AND new_then.destination = s.destination AND new_then.year = prev.last_year
       AND new_then.source = s.source AND new_then.source_mode = s.source_mode
    LEFT JOIN eligible AS old_now
        ON old_now.origin = s.origin AND old_now.destination = s.destination AND old_now.year = s.first_year
       AND old_now.source = prev.source AND old_now.source_mode = prev.source_mode
),
-- Cumulative log of the link ratios and count of missing links from segment 0: the factor between any two
-- segments is exp(difference of log_chain); a missing link between them shows as a difference of breaks.
chained AS (
    SELECT
        s.*,
        l.link_year,
        sum(coalesce(ln(l.link_ratio), 0)) OVER c AS log_chain,
        sum(CASE WHEN s.segment > 0 AND l.link_ratio IS NULL THEN 1 ELSE 0 END) OVER c AS breaks,
        lead(l.link_year) OVER c AS next_link_year
    FROM segments AS s
    LEFT JOIN links AS l USING (origin, destination, segment)
    WINDOW c AS (PARTITION BY s.origin, s.destination ORDER BY s.segment)
),
anchored AS (
    SELECT
        c.*,
        b.segment AS base_segment,
        b.students AS base_students,
        b.segment IS NOT NULL AND c.source = b.source AND c.source_mode = b.source_mode AS same_source
    FROM chained AS c
    LEFT JOIN segmented AS b ON b.origin = c.origin AND b.destination = c.destination AND b.year = 2018
),
-- Each segment links to the nearest segment of the 2018 row's source on the way to 2018.
referenced AS (
    SELECT
        *,
        CASE WHEN segment >= base_segment
             THEN max(segment) FILTER (WHERE same_source) OVER (
                 PARTITION BY origin, destination ORDER BY segment ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
             ELSE min(segment) FILTER (WHERE same_source) OVER (
                 PARTITION BY origin, destination ORDER BY segment ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
        END AS ref_segment
    FROM anchored
),
methods AS (
    SELECT
        r.origin,
        r.destination,
        r.segment,
        r.base_students,
        exp(r.log_chain - ref.log_chain) AS factor,
        CASE WHEN r.base_segment IS NULL THEN 'no_base'
             WHEN r.same_source THEN 'same_source'
             WHEN r.breaks <> ref.breaks THEN 'broken'
             ELSE 'chain_linked' END AS index_method,
        -- the link next to this segment on its way to 2018
        CASE WHEN r.same_source OR r.base_segment IS NULL THEN NULL
             WHEN r.segment > r.base_segment THEN r.link_year
             ELSE r.next_link_year END AS index_link_year
    FROM referenced AS r
    LEFT JOIN chained AS ref
        ON ref.origin = r.origin AND ref.destination = r.destination AND ref.segment = r.ref_segment
)
SELECT
    b.origin,
    b.destination,
    b.year,
    b.academic_year_label,
    b.students,
    b.source,
    b.precedence AS source_precedence,
    b.sources_available,
    b.source_version,
    b.source_mode,
    CASE WHEN b.previous_year = b.year - 1 AND b.previous_source = b.source AND b.previous_mode = b.source_mode
         THEN yoy_change(b.students, b.previous_students) END AS yoy_change,
    CASE m.index_method
        WHEN 'same_source' THEN index_to(b.students, m.base_students)
        WHEN 'chain_linked' THEN index_to(b.students * m.factor, m.base_students)
    END AS index_2018,
    m.index_method,
    m.index_link_year,
    b.territory_policy,
    b.retrieved_at
FROM segmented AS b
JOIN methods AS m USING (origin, destination, segment)
