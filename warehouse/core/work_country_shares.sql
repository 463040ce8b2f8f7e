-- core.work_country_shares: Nature Index Share pieces s_c(p) = sum over authors of
-- (1/n(p)) * (affiliations of the author in c) / (affiliations of the author). 'UNK' keeps the
-- unlocated pieces, so every paper's shares sum to 1.
SELECT
    a.work_id,
    a.country,
    sum(1.0 / (a.n_authors * a.n_affiliations)) AS share,
    any_value(a.source) AS source,
    any_value(a.source_mode) AS source_mode,
    any_value(a.retrieved_at) AS retrieved_at
FROM core.authorship_affiliations AS a
GROUP BY a.work_id, a.country
