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
