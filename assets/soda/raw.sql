-- raw.soda_passengers: DOT Socrata xgub-n9bw rows (assets.soda.client), numbers parsed and checked, with provenance.
-- Input: temp table incoming_soda_passengers (assets/soda/raw.py).
SELECT
    *,
    'dot_soda_xgub-n9bw' AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_soda_passengers
