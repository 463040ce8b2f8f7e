-- mart.bilateral_papers: one row per ordered country pair (both orders), year and paper set, with
-- the co-authorship indices (docs/methods.md#co-authorship-indices) computed by the macros in macros/indices.sql, and the
-- bootstrap intervals of core.pair_year_bootstrap where paper records allow them (else NULL).
SELECT
    p.country_a,
    p.country_b,
    p.year,
    p.paper_set,
    ca.papers AS papers_a,
    cb.papers AS papers_b,
    ca.intl_papers AS intl_papers_a,
    cb.intl_papers AS intl_papers_b,
    w.world_papers,
    w.world_intl_papers,
    p.coauthored,
    p.share_a_joint,
    p.share_b_joint,
    collaboration_score(p.share_a_joint, p.share_b_joint) AS collaboration_score,
    salton(p.coauthored, ca.papers, cb.papers) AS salton,
    jaccard(p.coauthored, ca.papers, cb.papers) AS jaccard,
    affinity(p.coauthored, ca.intl_papers) AS affinity,
    expected_coauthored(ca.intl_papers, cb.intl_papers, w.world_intl_papers) AS expected_coauthored,
    observed_expected(p.coauthored, ca.intl_papers, cb.intl_papers, w.world_intl_papers) AS observed_expected,
    bs.collaboration_score_ci_low,
    bs.collaboration_score_ci_high,
    bs.observed_expected_ci_low,
    bs.observed_expected_ci_high,
    bs.replicates AS bootstrap_replicates,
    bs.ci_basis,
    p.count_basis,
    getvariable('territory_policy') AS territory_policy,
    p.source,
    p.source_mode,
    greatest(p.retrieved_at, w.retrieved_at) AS retrieved_at
FROM core.pair_year AS p
LEFT JOIN core.country_year AS ca
    ON ca.country = p.country_a AND ca.year = p.year AND ca.paper_set = p.paper_set
LEFT JOIN core.country_year AS cb
    ON cb.country = p.country_b AND cb.year = p.year AND cb.paper_set = p.paper_set
LEFT JOIN core.world_year AS w
    ON w.year = p.year AND w.paper_set = p.paper_set
LEFT JOIN core.pair_year_bootstrap AS bs
    ON bs.country_a = p.country_a AND bs.country_b = p.country_b AND bs.year = p.year AND bs.paper_set = p.paper_set
