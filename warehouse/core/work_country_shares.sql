-- core.work_country_shares: Nature Index Share pieces s_c(p) = sum over authors of
-- (1/n(p)) * (affiliations of the author in c) / (affiliations of the author), summed per country after the
-- territory policy from the pieces per code as coded that core.work_facts holds (the same pieces
-- core.authorship_affiliations lists one by one). 'UNK' keeps the unlocated pieces, so every paper's shares sum
-- to 1.
SELECT
    w.work_id,
    coalesce(t.to_code, p.piece.country) AS country,
    sum(p.piece.share) AS share,
    any_value(w.source) AS source,
    any_value(w.source_mode) AS source_mode,
    any_value(w.retrieved_at) AS retrieved_at
FROM core.works AS w
JOIN (SELECT work_id, unnest(shares) AS piece FROM core.work_facts) AS p USING (work_id)
LEFT JOIN ref.territory_map AS t
    ON t.policy = getvariable('territory_policy') AND t.from_code = p.piece.country
GROUP BY w.work_id, 2
