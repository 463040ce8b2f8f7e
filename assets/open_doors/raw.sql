-- raw.open_doors from the versioned seed CSV of published IIE Open Doors figures. The figures are
-- real published numbers in every mode, so their source_mode is 'reference', never 'sample'.
-- Input: temp table incoming_open_doors (assets.open_doors.reader.read_seed).
SELECT
    *,
    'iie_open_doors' AS source,
    'reference' AS source_mode,
    getvariable('load_id') AS load_id
FROM incoming_open_doors
