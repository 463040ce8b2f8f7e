-- raw.opensky_arrivals: OpenSky /flights/arrival objects (assets.opensky.client), with provenance.
-- Input: temp table incoming_opensky_arrivals (assets/opensky/raw.py).
SELECT
    *,
    'opensky' AS source,
    getvariable('source_mode') AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_opensky_arrivals
