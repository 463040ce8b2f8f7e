-- raw.uis_records from the UIS data answers (live or bundled sample, same parser), with provenance.
-- Input: temp table incoming_uis_records (assets.uis records + indicator kind/origin).
SELECT
    *,
    'uis' AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_uis_records
