-- core.pair_year_bootstrap: 95 % percentile bootstrap intervals of the collaboration score and the
-- observed/expected index, resampling papers (macros/bootstrap.sql: deterministic Poisson weights),
-- for every ordered pair with a focus country whose joint papers are records, each year and paper set.
-- With count_basis 'records' (every paper of the year is a record) the joint papers and the totals
-- C_A^int, C_B^int, C_W^int are resampled together, from the same weights. Otherwise (live mode: only
-- the joint papers of focus pairs are records, totals come from group_by counts) the joint papers are
-- resampled and the totals held at their counts; `ci_basis` says which.
WITH reps AS (SELECT range AS replicate FROM range(getvariable('bootstrap_replicates'))),
grid AS (
    SELECT p.country_a, p.country_b, p.year, p.paper_set, p.count_basis, p.coauthored
    FROM core.pair_year AS p
    WHERE p.share_a_joint IS NOT NULL
      AND (list_contains(getvariable('focus'), p.country_a) OR list_contains(getvariable('focus'), p.country_b))
),
pc AS (  -- (paper, country) with the country's Share piece of the paper
    SELECT s.paper_set, s.year, s.work_id, s.n_countries, wc.country, coalesce(sh.share, 0) AS share
    FROM core.paper_set_works AS s
    JOIN core.work_countries AS wc USING (work_id)
    LEFT JOIN core.work_country_shares AS sh ON sh.work_id = wc.work_id AND sh.country = wc.country
),
joint AS (  -- each joint paper of a grid pair with x_p = s_A(p) + s_B(p)
    SELECT a.country AS country_a, b.country AS country_b, a.year, a.paper_set, a.work_id,
           a.share + b.share AS x
    FROM pc AS a
    JOIN pc AS b ON b.work_id = a.work_id AND b.paper_set = a.paper_set AND b.country <> a.country
    SEMI JOIN grid AS g
        ON g.country_a = a.country AND g.country_b = b.country AND g.year = a.year AND g.paper_set = a.paper_set
),
joint_reps AS (
    SELECT country_a, country_b, year, paper_set, replicate, sum(w * x) AS score, sum(w) AS coauthored
    FROM (
        SELECT j.*, r.replicate, bootstrap_weight(j.work_id, r.replicate, getvariable('bootstrap_seed')) AS w
        FROM joint AS j CROSS JOIN reps AS r
    )
    GROUP BY ALL
),
intl AS (SELECT DISTINCT paper_set, year, work_id FROM pc WHERE n_countries >= 2),
world_reps AS (
    SELECT i.paper_set, i.year, r.replicate,
           sum(bootstrap_weight(i.work_id, r.replicate, getvariable('bootstrap_seed'))) AS intl_papers
    FROM intl AS i CROSS JOIN reps AS r
    GROUP BY ALL
),
country_reps AS (
    SELECT c.paper_set, c.year, c.country, r.replicate,
           sum(bootstrap_weight(c.work_id, r.replicate, getvariable('bootstrap_seed'))) AS intl_papers
    FROM pc AS c CROSS JOIN reps AS r
    WHERE c.n_countries >= 2
      AND c.country IN (SELECT country_a FROM grid UNION SELECT country_b FROM grid)
    GROUP BY ALL
),
replicates AS (
    SELECT
        g.country_a, g.country_b, g.year, g.paper_set, g.count_basis, g.coauthored, r.replicate,
        coalesce(j.score, 0) AS score,
        CASE WHEN g.count_basis = 'records'
             THEN observed_expected(coalesce(j.coauthored, 0), coalesce(ra.intl_papers, 0),
                                    coalesce(rb.intl_papers, 0), coalesce(rw.intl_papers, 0))
             ELSE observed_expected(coalesce(j.coauthored, 0), ca.intl_papers, cb.intl_papers, w.world_intl_papers)
        END AS observed_expected
    FROM grid AS g CROSS JOIN reps AS r
    LEFT JOIN joint_reps AS j USING (country_a, country_b, year, paper_set, replicate)
    LEFT JOIN country_reps AS ra
        ON ra.country = g.country_a AND ra.year = g.year AND ra.paper_set = g.paper_set AND ra.replicate = r.replicate
    LEFT JOIN country_reps AS rb
        ON rb.country = g.country_b AND rb.year = g.year AND rb.paper_set = g.paper_set AND rb.replicate = r.replicate
    LEFT JOIN world_reps AS rw ON rw.year = g.year AND rw.paper_set = g.paper_set AND rw.replicate = r.replicate
    LEFT JOIN core.country_year AS ca ON ca.country = g.country_a AND ca.year = g.year AND ca.paper_set = g.paper_set
    LEFT JOIN core.country_year AS cb ON cb.country = g.country_b AND cb.year = g.year AND cb.paper_set = g.paper_set
    LEFT JOIN core.world_year AS w
        ON w.year = g.year AND w.paper_set = g.paper_set
)
SELECT
    country_a,
    country_b,
    year,
    paper_set,
    any_value(coauthored) AS coauthored,
    count(*) AS replicates,
    quantile_cont(score, 0.025) AS collaboration_score_ci_low,
    quantile_cont(score, 0.975) AS collaboration_score_ci_high,
    quantile_cont(observed_expected, 0.025) AS observed_expected_ci_low,
    quantile_cont(observed_expected, 0.975) AS observed_expected_ci_high,
    count(observed_expected) AS observed_expected_replicates,
    CASE any_value(count_basis)
        WHEN 'records' THEN 'Poisson bootstrap of every paper of the year (joint papers and totals)'
        ELSE 'Poisson bootstrap of the joint papers; country and world totals held at their group_by counts'
    END AS ci_basis,
    getvariable('bootstrap_seed') AS seed,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,  -- names the snapshot release
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.pair_year) AS retrieved_at
FROM replicates
GROUP BY country_a, country_b, year, paper_set
