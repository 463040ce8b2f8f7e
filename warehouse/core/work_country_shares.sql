-- core.work_country_shares: Nature Index Share pieces s_c(p) = sum over authors of
-- (1/n(p)) * (affiliations of the author in c) / (affiliations of the author). 'UNK' keeps the
-- unlocated pieces, so every paper's shares sum to 1.
SELECT work_id, country, sum(1.0 / (n_authors * n_affiliations)) AS share
FROM core.authorship_affiliations
GROUP BY work_id, country
