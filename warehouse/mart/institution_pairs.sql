-- mart.institution_pairs: for each ordered pair of focus countries (both orders), year and paper set, every
-- pair of institutions, one affiliated in country_a and one in country_b on the same joint paper, with
-- their joint papers and their part of the pair's Nature Index collaboration score
-- (docs/methods.md#institution-pairs). On a joint paper p, the paper's score CS(p) = s_A(p) + s_B(p) is
-- split over its institution pairs by the product of the two institutions' fractions of their country's
-- Share: contribution_ij(p) = CS(p) × (s_i(p) / s_A(p)) × (s_j(p) / s_B(p)), so the contributions of
-- all institution pairs of a year add up to mart.bilateral_papers.collaboration_score. An author's
-- pieces without an institution id (basis 'countries_field') form the side's row with a NULL institution.
-- collaboration_score is Nature Index's own institution-pair score, Σ (s_i(p) + s_j(p)) over the pair's joint
-- papers: comparable with Nature Index's lists, but not additive over the pairs of a paper.
-- The same records in every mode (live mode fetches every joint work of the focus pairs).
WITH focus AS (SELECT unnest(getvariable('focus')) AS country),
joint AS (
    SELECT s.paper_set, s.year, s.work_id, a.country AS country_a, b.country AS country_b
    FROM core.paper_set_works AS s
    JOIN core.work_countries AS a ON a.work_id = s.work_id AND a.country IN (SELECT country FROM focus)
    JOIN core.work_countries AS b ON b.work_id = s.work_id AND b.country IN (SELECT country FROM focus)
    WHERE a.country <> b.country
),
units AS (  -- s_i(p): Share pieces of each institution (NULL: pieces without one) of a focus country
    SELECT a.work_id, a.country, a.institution_id, sum(1.0 / (a.n_authors * a.n_affiliations)) AS share
    FROM core.authorship_affiliations AS a
    WHERE a.country IN (SELECT country FROM focus) AND a.work_id IN (SELECT work_id FROM joint)
    GROUP BY ALL
),
sides AS (  -- each side of a joint work: its units, s_A(p) and each unit's fraction of it
    SELECT
        k.work_id, k.country, u.institution_id, coalesce(u.share, 0) AS share,
        sum(coalesce(u.share, 0)) OVER side AS side_share,
        CASE WHEN sum(coalesce(u.share, 0)) OVER side > 0 THEN u.share / sum(u.share) OVER side ELSE 1.0 END
            AS fraction
    FROM (SELECT DISTINCT work_id, country_a AS country FROM joint) AS k
    LEFT JOIN units AS u USING (work_id, country)
    WINDOW side AS (PARTITION BY k.work_id, k.country)
),
paper_pairs AS (
    SELECT
        j.country_a, j.country_b, j.year, j.paper_set, j.work_id,
        a.institution_id AS institution_a_id, b.institution_id AS institution_b_id,
        (a.side_share + b.side_share) * a.fraction * b.fraction AS contribution,
        a.share + b.share AS pair_score
    FROM joint AS j
    JOIN sides AS a ON a.work_id = j.work_id AND a.country = j.country_a
    JOIN sides AS b ON b.work_id = j.work_id AND b.country = j.country_b
),
pairs AS (
    SELECT
        country_a, country_b, year, paper_set, institution_a_id, institution_b_id,
        count(*) AS joint_papers, sum(contribution) AS collaboration_score_contribution,
        sum(pair_score) AS collaboration_score
    FROM paper_pairs
    GROUP BY ALL
),
names AS (  -- one name and ROR per institution id (the smallest, if records disagree)
    SELECT i.id AS institution_id, min(i.display_name) AS display_name, min(i.ror) AS ror
    FROM (
        SELECT unnest(flatten([coalesce(au.institutions, []) FOR au IN coalesce(r.authorships, [])])) AS i
        FROM core.work_records AS r
        WHERE r.work_id IN (SELECT work_id FROM joint)
    )
    WHERE i.id IS NOT NULL
    GROUP BY ALL
)
SELECT
    p.country_a,
    p.country_b,
    p.year,
    p.paper_set,
    rank() OVER (
        PARTITION BY p.country_a, p.country_b, p.year, p.paper_set
        ORDER BY round(p.collaboration_score_contribution, 9) DESC, p.joint_papers DESC
    ) AS rank,
    p.institution_a_id,
    na.display_name AS institution_a,
    na.ror AS institution_a_ror,
    p.institution_b_id,
    nb.display_name AS institution_b,
    nb.ror AS institution_b_ror,
    p.joint_papers,
    p.collaboration_score_contribution,
    p.collaboration_score,
    r.count_basis,
    getvariable('territory_policy') AS territory_policy,
    r.source,
    r.source_mode,
    r.retrieved_at
FROM pairs AS p
CROSS JOIN records_provenance('core.works') AS r
LEFT JOIN names AS na ON na.institution_id = p.institution_a_id
LEFT JOIN names AS nb ON nb.institution_id = p.institution_b_id
