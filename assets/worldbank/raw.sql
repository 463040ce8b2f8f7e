-- raw.worldbank_indicators from World Bank API answers (live or bundled sample, same parser), with
-- provenance. Input: temp table incoming_worldbank (assets.worldbank observations).
SELECT
    *,
    'worldbank' AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_worldbank
