-- core.pair_year_bootstrap: 95 % percentile bootstrap intervals of the collaboration score and the
-- observed/expected index, resampling papers (macros/bootstrap.sql: deterministic Poisson weights),
-- for every ordered pair with a focus country whose joint papers are records, each year and paper set.
-- With count_basis 'records' (every paper of the year is a record) the joint papers and the totals
-- C_A^int, C_B^int, C_W^int are resampled together, from the same weights. Otherwise (live mode: only
-- the joint papers of focus pairs are records, totals come from group_by counts) the joint papers are
-- resampled and the totals held at their counts; `ci_basis` says which.
--
-- The replicate sums (papers x replicates rows) are grouped on integer ids of the pairs, cells and slices
-- and materialised one after the other, and the replicates are joined from the large side to small
-- tables: string keys, sums built side by side and a hash table of every (pair, replicate) did not fit a
-- 1 GB DuckDB memory limit at 2M works (docs/scale.md).
WITH reps AS (SELECT range AS replicate FROM range(getvariable('bootstrap_replicates'))),
grid AS (  -- the (pair, year, paper set) rows to bootstrap, numbered
    SELECT row_number() OVER () AS grid_id, p.country_a, p.country_b, p.year, p.paper_set, p.count_basis, p.coauthored
    FROM core.pair_year AS p
    WHERE p.share_a_joint IS NOT NULL
      AND (list_contains(getvariable('focus'), p.country_a) OR list_contains(getvariable('focus'), p.country_b))
),
cells AS (  -- the (paper set, year, country) totals the grid needs, numbered
    SELECT row_number() OVER () AS cell_id, paper_set, year, country
    FROM (SELECT paper_set, year, country_a AS country FROM grid UNION SELECT paper_set, year, country_b FROM grid)
),
slices AS (  -- the (paper set, year) world totals the grid needs, numbered
    SELECT row_number() OVER () AS slice_id, paper_set, year FROM (SELECT DISTINCT paper_set, year FROM grid)
),
pairs AS (  -- each grid row with the ids of its totals and, for the group_by basis, the totals themselves
    SELECT g.*, a.cell_id AS cell_a, b.cell_id AS cell_b, s.slice_id,
           ca.intl_papers AS count_a, cb.intl_papers AS count_b, w.world_intl_papers AS count_world
    FROM grid AS g
    JOIN cells AS a ON a.paper_set = g.paper_set AND a.year = g.year AND a.country = g.country_a
    JOIN cells AS b ON b.paper_set = g.paper_set AND b.year = g.year AND b.country = g.country_b
    JOIN slices AS s ON s.paper_set = g.paper_set AND s.year = g.year
    LEFT JOIN core.country_year AS ca ON ca.country = g.country_a AND ca.year = g.year AND ca.paper_set = g.paper_set
    LEFT JOIN core.country_year AS cb ON cb.country = g.country_b AND cb.year = g.year AND cb.paper_set = g.paper_set
    LEFT JOIN core.world_year AS w ON w.year = g.year AND w.paper_set = g.paper_set
),
pc AS (  -- (paper, country) with the country's Share piece of the paper
    SELECT s.paper_set, s.year, s.work_id, s.n_countries, wc.country, coalesce(sh.share, 0) AS share
    FROM core.paper_set_works AS s
    JOIN core.work_countries AS wc USING (work_id)
    LEFT JOIN core.work_country_shares AS sh ON sh.work_id = wc.work_id AND sh.country = wc.country
),
joint AS (  -- each joint paper of a grid pair with x_p = s_A(p) + s_B(p)
    SELECT g.grid_id, a.work_id, a.share + b.share AS x
    FROM pc AS a
    JOIN pc AS b ON b.work_id = a.work_id AND b.paper_set = a.paper_set AND b.country <> a.country
    JOIN grid AS g
        ON g.country_a = a.country AND g.country_b = b.country AND g.year = a.year AND g.paper_set = a.paper_set
),
joint_reps AS MATERIALIZED (
    SELECT grid_id, replicate, sum(w * x) AS score, sum(w) AS coauthored
    FROM (
        SELECT j.grid_id, j.x, r.replicate, bootstrap_weight(j.work_id, r.replicate, getvariable('bootstrap_seed')) AS w
        FROM joint AS j CROSS JOIN reps AS r
    )
    GROUP BY grid_id, replicate
),
world_reps AS MATERIALIZED (
    SELECT s.slice_id, r.replicate,
           sum(bootstrap_weight(i.work_id, r.replicate, getvariable('bootstrap_seed'))) AS intl_papers
    FROM (SELECT DISTINCT paper_set, year, work_id FROM pc WHERE n_countries >= 2) AS i
    JOIN slices AS s USING (paper_set, year)
    CROSS JOIN reps AS r
    GROUP BY s.slice_id, r.replicate
),
cell_papers AS MATERIALIZED (  -- the international papers of each cell, before they meet the replicates
    SELECT c.cell_id, p.work_id
    FROM pc AS p
    JOIN cells AS c USING (paper_set, year, country)
    WHERE p.n_countries >= 2
),
country_reps AS MATERIALIZED (
    SELECT c.cell_id, r.replicate,
           sum(bootstrap_weight(c.work_id, r.replicate, getvariable('bootstrap_seed'))) AS intl_papers
    FROM cell_papers AS c
    CROSS JOIN reps AS r
    GROUP BY c.cell_id, r.replicate
),
scored AS (  -- every (pair, replicate): the joint papers' sums, zero for a pair without joint records
    SELECT grid_id, replicate, score, coauthored FROM joint_reps
    UNION ALL
    SELECT p.grid_id, r.replicate, 0 AS score, 0 AS coauthored
    FROM pairs AS p ANTI JOIN (SELECT DISTINCT grid_id FROM joint) AS j USING (grid_id)
    CROSS JOIN reps AS r
),
replicates AS (  -- driven by the large side; every table joined to it is small (pairs, totals per cell)
    SELECT
        s.grid_id,
        s.score,
        CASE WHEN p.count_basis = 'records'
             THEN observed_expected(s.coauthored, coalesce(ra.intl_papers, 0),
                                    coalesce(rb.intl_papers, 0), coalesce(rw.intl_papers, 0))
             ELSE observed_expected(s.coauthored, p.count_a, p.count_b, p.count_world)
        END AS observed_expected
    FROM scored AS s
    JOIN pairs AS p USING (grid_id)
    LEFT JOIN country_reps AS ra ON ra.cell_id = p.cell_a AND ra.replicate = s.replicate
    LEFT JOIN country_reps AS rb ON rb.cell_id = p.cell_b AND rb.replicate = s.replicate
    LEFT JOIN world_reps AS rw ON rw.slice_id = p.slice_id AND rw.replicate = s.replicate
),
intervals AS (
    SELECT
        grid_id,
        count(*) AS replicates,
        quantile_cont(score, 0.025) AS collaboration_score_ci_low,
        quantile_cont(score, 0.975) AS collaboration_score_ci_high,
        quantile_cont(observed_expected, 0.025) AS observed_expected_ci_low,
        quantile_cont(observed_expected, 0.975) AS observed_expected_ci_high,
        count(observed_expected) AS observed_expected_replicates
    FROM replicates
    GROUP BY grid_id
)
SELECT
    p.country_a,
    p.country_b,
    p.year,
    p.paper_set,
    p.coauthored,
    i.replicates,
    i.collaboration_score_ci_low,
    i.collaboration_score_ci_high,
    i.observed_expected_ci_low,
    i.observed_expected_ci_high,
    i.observed_expected_replicates,
    CASE p.count_basis
        WHEN 'records' THEN 'Poisson bootstrap of every paper of the year (joint papers and totals)'
        ELSE 'Poisson bootstrap of the joint papers; country and world totals held at their group_by counts'
    END AS ci_basis,
    getvariable('bootstrap_seed') AS seed,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,  -- names the snapshot release
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.pair_year) AS retrieved_at
FROM intervals AS i
JOIN pairs AS p USING (grid_id)
