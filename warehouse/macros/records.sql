-- The provenance columns of the counts taken from paper records (core/*.records.sql), in the order those
-- tables end with: one row, cross-joined to the counts. `works` names core.works (a name, not the table:
-- a macro is bound when it is created, before the warehouse has a core.works).
CREATE OR REPLACE MACRO records_provenance(works) AS TABLE
    SELECT
        'records' AS count_basis,
        coalesce(min(source), 'openalex') AS source,  -- names the snapshot release
        getvariable('source_mode') AS source_mode,
        max(retrieved_at) AS retrieved_at
    FROM query_table(works);

-- One authorship's affiliation pieces (docs/methods.md#countries-authors-and-affiliations-of-a-paper): its
-- distinct institutions (country_code as coded, NULL when unknown); with no institution but a non-empty
-- `countries` list, one per distinct country; with neither, one unlocated piece. Each piece weighs
-- 1 / (authors x pieces of the author) in the Share. core/authorship_affiliations.sql and the per-work facts
-- (macros/facts.sql) both use it.
CREATE OR REPLACE MACRO author_pieces(au) AS
    CASE
        WHEN len(coalesce(au.institutions, [])) > 0 THEN list_distinct(
            [{'institution_id': i.id, 'code': i.country_code, 'basis': 'institution'} for i in au.institutions]
        )
        WHEN len(coalesce(au.countries, [])) > 0 THEN list_distinct(
            [{'institution_id': NULL::VARCHAR, 'code': c, 'basis': 'countries_field'} for c in au.countries]
        )
        ELSE [{'institution_id': NULL::VARCHAR, 'code': NULL::VARCHAR, 'basis': 'unlocated'}]
    END;
