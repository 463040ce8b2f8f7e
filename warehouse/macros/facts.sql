-- Per-work facts (docs/scale.md#per-work-facts): one compact row per work record with what every count needs,
-- so that nothing per authorship has to leave the scan that reads the records. The partition runs write them
-- (assets/openalex_snapshot/facts.py), core/work_facts.sql computes them from API records, and every count reads
-- them through core.works, core.work_countries and core.work_country_shares. The definitions:
--   K(p)  core/work_countries.sql (the authorships' countries, the field the API's filter and group_by use);
--   s_c(p) core/authorship_affiliations.sql + work_country_shares.sql (an author's pieces are its distinct
--          institutions, else its distinct countries, else one unlocated piece; each weighs 1 / (n(p) x pieces)).
-- The territory policy is applied after the facts (they keep the codes as coded), so one extraction serves
-- every policy. Needs macros/records.sql (author_pieces).

-- work_facts(records): one row per record of the relation named `records`: a work_id and the byline
-- authorships[{institutions[{id, country_code}], countries}] (the snapshot's projected rows, core.work_records, or a
-- raw scan of the snapshot files); its other columns pass through (year, flags, ISSNs, fields, the record's place).
-- countries: K(p) as coded; shares: [{country, share}] per code as coded, 'UNK' for unlocated pieces, so a
-- work's shares sum to 1 (0 pieces for a work without authorships).
CREATE OR REPLACE MACRO work_facts(records) AS TABLE
WITH authors AS (
    SELECT
        -- K(p) is derived here, and who the authors are is not a fact: a records relation's own columns of
        -- either are left out (core.work_records has countries; the snapshot rows have authors)
        COLUMNS(lambda c: c NOT IN ('authorships', 'authors', 'countries')),
        len(coalesce(authorships, [])) AS n_authors,
        list_sort(list_distinct(flatten([coalesce(a.countries, []) for a in coalesce(authorships, [])]))) AS countries,
        [author_pieces(a) for a in coalesce(authorships, [])] AS author_pieces
    FROM query_table(records)
    WHERE work_id IS NOT NULL
),
weighted AS (
    SELECT
        * EXCLUDE (author_pieces),
        flatten(list_transform(author_pieces, lambda pieces: list_transform(pieces, lambda p: {
            'code': coalesce(p.code, 'UNK'), 'weight': 1.0::DOUBLE / (n_authors * len(pieces))
        }))) AS pieces
    FROM authors
)
SELECT
    * EXCLUDE (pieces),
    list_transform(list_sort(list_distinct(list_transform(pieces, lambda p: p.code))), lambda c: {
        'country': c, 'share': list_sum(list_transform(list_filter(pieces, lambda p: p.code = c), lambda p: p.weight))
    }) AS shares
FROM weighted;
