-- core.authorship_affiliations: one row per (work, author, affiliation) for fractional counting
-- (indices.md §0b). An author's affiliations are its distinct institutions (country_code, NULL ->
-- 'UNK'); with no institution but a non-empty `countries` list, one per distinct country; with
-- neither, one 'UNK' piece. Territory policy is applied to every country code.
WITH works AS (
    SELECT r.work_id, w.source, w.source_mode, w.retrieved_at, r.authorships AS auths
    FROM core.work_records AS r
    JOIN core.works AS w USING (work_id)
),
authors AS (
    SELECT work_id, len(auths) AS n_authors, generate_subscripts(auths, 1) AS author_idx, unnest(auths) AS au
    FROM works
),
institution_rows AS (
    SELECT DISTINCT work_id, n_authors, author_idx, inst.id AS institution_id, inst.country_code AS code,
           'institution' AS basis
    FROM (SELECT work_id, n_authors, author_idx, unnest(au.institutions) AS inst FROM authors)
),
country_rows AS (
    SELECT DISTINCT work_id, n_authors, author_idx, NULL::VARCHAR AS institution_id, code,
           'countries_field' AS basis
    FROM (
        SELECT work_id, n_authors, author_idx, unnest(au.countries) AS code
        FROM authors WHERE len(coalesce(au.institutions, [])) = 0
    )
),
unlocated_rows AS (
    SELECT work_id, n_authors, author_idx, NULL::VARCHAR AS institution_id, NULL::VARCHAR AS code,
           'unlocated' AS basis
    FROM authors
    WHERE len(coalesce(au.institutions, [])) = 0 AND len(coalesce(au.countries, [])) = 0
),
pieces AS (
    SELECT * FROM institution_rows
    UNION ALL SELECT * FROM country_rows
    UNION ALL SELECT * FROM unlocated_rows
)
SELECT
    p.work_id,
    p.author_idx,
    p.n_authors,
    count(*) OVER (PARTITION BY p.work_id, p.author_idx) AS n_affiliations,
    p.institution_id,
    p.code AS country_as_coded,
    coalesce(t.to_code, p.code, 'UNK') AS country,
    p.basis,
    w.source,
    w.source_mode,
    w.retrieved_at
FROM pieces AS p
JOIN works AS w USING (work_id)
LEFT JOIN ref.territory_map AS t
    ON t.policy = getvariable('territory_policy') AND t.from_code = p.code
