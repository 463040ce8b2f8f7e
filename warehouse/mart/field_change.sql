-- mart.field_change: per ordered pair, paper set, level and group of mart.bilateral_papers_by_field, how its
-- joint papers and collaboration score changed since the first break year (COLLAB_BREAK_YEARS), ranked with the
-- most fallen first (docs/methods.md#field-change-since-the-break). Each value is a window mean: "before" over
-- the three years ending at the first break year B, [B-2, B]; "after" over the last three configured years
-- (the last configured year is taken as the last complete one), [max(B+1, L-2), L]; both clipped to
-- COLLAB_YEARS. change = after - before; change_pct = after / before - 1 (NULL when before is 0 or a window
-- is empty). rank orders the groups of a pair, paper set and level by change_pct of joint papers (most
-- fallen first; ties by the absolute change), groups without a before value last.
WITH bounds AS (
    SELECT
        b AS break_year,
        greatest(b - 2, getvariable('year_first')) AS before_first,
        least(b, getvariable('year_last')) AS before_last,
        greatest(b + 1, getvariable('year_last') - 2) AS after_first,
        getvariable('year_last') AS after_last
    FROM (SELECT list_min(getvariable('break_years')) AS b)
),
means AS (
    SELECT
        f.country_a, f.country_b, f.paper_set, f.level, f.field_id,
        any_value(f.field) AS field, any_value(f.domain) AS domain,
        avg(f.coauthored) FILTER (WHERE f.year BETWEEN w.before_first AND w.before_last) AS coauthored_before,
        avg(f.coauthored) FILTER (WHERE f.year BETWEEN w.after_first AND w.after_last) AS coauthored_after,
        avg(f.collaboration_score) FILTER (WHERE f.year BETWEEN w.before_first AND w.before_last)
            AS collaboration_score_before,
        avg(f.collaboration_score) FILTER (WHERE f.year BETWEEN w.after_first AND w.after_last)
            AS collaboration_score_after,
        any_value(f.count_basis) AS count_basis,
        any_value(f.source) AS source,
        any_value(f.source_mode) AS source_mode,
        max(f.retrieved_at) AS retrieved_at
    FROM mart.bilateral_papers_by_field AS f
    CROSS JOIN bounds AS w
    GROUP BY ALL
),
changes AS (
    SELECT
        m.*,
        m.coauthored_after - m.coauthored_before AS coauthored_change,
        CASE WHEN m.coauthored_before > 0 THEN m.coauthored_after / m.coauthored_before - 1 END
            AS coauthored_change_pct,
        m.collaboration_score_after - m.collaboration_score_before AS collaboration_score_change,
        CASE WHEN m.collaboration_score_before > 0
             THEN m.collaboration_score_after / m.collaboration_score_before - 1 END AS collaboration_score_change_pct
    FROM means AS m
)
SELECT
    c.country_a,
    c.country_b,
    c.paper_set,
    c.level,
    c.field_id,
    c.field,
    c.domain,
    rank() OVER (
        PARTITION BY c.country_a, c.country_b, c.paper_set, c.level
        ORDER BY round(c.coauthored_change_pct, 9) ASC NULLS LAST, round(c.coauthored_change, 9) ASC
    ) AS rank,
    w.break_year,
    w.before_first,
    w.before_last,
    CASE WHEN w.after_first <= w.after_last THEN w.after_first END AS after_first,
    CASE WHEN w.after_first <= w.after_last THEN w.after_last END AS after_last,
    c.coauthored_before,
    c.coauthored_after,
    c.coauthored_change,
    c.coauthored_change_pct,
    c.collaboration_score_before,
    c.collaboration_score_after,
    c.collaboration_score_change,
    c.collaboration_score_change_pct,
    c.count_basis,
    getvariable('territory_policy') AS territory_policy,
    c.source,
    c.source_mode,
    c.retrieved_at
FROM changes AS c
CROSS JOIN bounds AS w
