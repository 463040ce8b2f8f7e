-- core.work_facts: one row per paper record of the current mode and year range with its per-work facts
-- (macros/facts.sql): K(p) as coded, n(p) and the Share pieces per country code, nothing per authorship. The
-- snapshot's are the facts its partition runs computed as they read the records (raw.openalex_snapshot_facts);
-- the API records' (sample, live) are computed here from core.work_records. Every count reads these (through
-- core.works, core.work_countries and core.work_country_shares), so the counts have one definition in all modes.
SELECT * FROM (
    SELECT * FROM work_facts('core.work_records') WHERE source_mode <> 'snapshot'
    UNION ALL BY NAME
    SELECT * EXCLUDE (updated_date, part_file, snapshot_release, load_id), false AS authors_refetched
    FROM raw.openalex_snapshot_facts
    WHERE source_mode = getvariable('source_mode')
      AND publication_year BETWEEN getvariable('year_first') AND getvariable('year_last')
)
