-- raw.t100_files: BTS T-100 files ingested (name, checksum, size, rows read), with provenance.
-- Input: temp table incoming_t100_files (assets/t100/raw.py).
SELECT
    *,
    CASE WHEN kind = 'international' THEN 'bts_t100_international_segment' ELSE 'bts_t100_domestic_segment' END AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_t100_files
