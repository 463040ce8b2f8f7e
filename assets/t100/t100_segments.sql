-- raw.t100_segments: BTS T-100 segment rows (assets.t100.reader.read_t100), every service class kept, with provenance.
-- Input: temp table incoming_t100_segments (assets/t100/raw.py).
SELECT
    *,
    CASE WHEN kind = 'international' THEN 'bts_t100_international_segment' ELSE 'bts_t100_domestic_segment' END AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_t100_segments
