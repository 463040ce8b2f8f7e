-- core.authorship_affiliations: one row per (work, author, affiliation) for fractional counting
-- (docs/methods.md#countries-authors-and-affiliations-of-a-paper). An author's affiliations are its distinct institutions (country_code, NULL ->
-- 'UNK'); with no institution but a non-empty `countries` list, one per distinct country; with
-- neither, one 'UNK' piece (macro author_pieces, macros/records.sql). Territory policy is applied to every
-- country code.
-- Each author's pieces are built and de-duplicated as a list before unnesting (no DISTINCT or window over
-- the millions of piece rows): n_affiliations is the length of that list.
WITH authors AS (
    SELECT
        r.work_id,
        len(r.authorships) AS n_authors,
        generate_subscripts(r.authorships, 1) AS author_idx,
        unnest(r.authorships) AS au,
        w.source,
        w.source_mode,
        w.retrieved_at
    FROM core.work_records AS r
    JOIN core.works AS w USING (work_id)
),
author_pieces AS (
    SELECT
        * EXCLUDE (au),
        author_pieces(au) AS pieces
    FROM authors
),
pieces AS (
    SELECT * EXCLUDE (pieces), len(pieces) AS n_affiliations, unnest(pieces) AS piece
    FROM author_pieces
)
SELECT
    p.work_id,
    p.author_idx,
    p.n_authors,
    p.n_affiliations,
    p.piece.institution_id,
    p.piece.code AS country_as_coded,
    coalesce(t.to_code, p.piece.code, 'UNK') AS country,
    p.piece.basis,
    p.source,
    p.source_mode,
    p.retrieved_at
FROM pieces AS p
LEFT JOIN ref.territory_map AS t
    ON t.policy = getvariable('territory_policy') AND t.from_code = p.piece.code
