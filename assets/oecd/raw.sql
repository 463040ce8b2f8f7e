-- raw.oecd_observations from the OECD SDMX data answer (live or bundled sample, same parser).
-- Input: temp table incoming_oecd_observations (assets.oecd observations).
SELECT
    *,
    'oecd' AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_oecd_observations
