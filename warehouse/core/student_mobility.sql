-- core.student_mobility: internationally mobile tertiary students by origin and destination, one
-- row per (origin, destination, year, source), every source side by side. Codes are ISO-2 after the
-- run's territory policy (HK/MO/TW rows summed into CN when the policy merges them); rows of the
-- current source_mode only, plus the published seeds ('reference'), which are real in every mode;
-- configured years (COLLAB_YEARS) only.
WITH bilateral AS (
    SELECT
        r.origin_iso3 AS origin_iso3,
        r.geo_unit AS destination_iso3,
        r.year,
        NULL::VARCHAR AS academic_year_label,
        r.value AS students,
        r.source, r.source_version, r.source_mode, r.request, r.retrieved_at
    FROM raw.uis_records AS r
    WHERE r.indicator_kind = 'bilateral'
    UNION ALL BY NAME
    SELECT
        o.origin_iso3, o.destination_iso3, o.year, NULL::VARCHAR AS academic_year_label, o.value AS students,
        o.source, o.source_version, o.source_mode, o.request, o.retrieved_at
    FROM raw.oecd_observations AS o
),
coded AS (
    SELECT
        co.iso2 AS origin, cd.iso2 AS destination, b.year, b.academic_year_label, b.students,
        b.source, b.source_version, b.source_mode, b.request, b.retrieved_at
    FROM bilateral AS b
    JOIN ref.countries AS co ON co.iso3 = b.origin_iso3
    JOIN ref.countries AS cd ON cd.iso3 = b.destination_iso3
    UNION ALL BY NAME
    SELECT
        origin, destination, year, academic_year_label, students::DOUBLE AS students,
        source, source_version, source_mode, request, retrieved_at
    FROM raw.open_doors
),
mapped AS (
    SELECT
        coalesce(mo.to_code, c.origin) AS origin,
        coalesce(md.to_code, c.destination) AS destination,
        c.*  EXCLUDE (origin, destination)
    FROM coded AS c
    LEFT JOIN ref.territory_map AS mo ON mo.policy = getvariable('territory_policy') AND mo.from_code = c.origin
    LEFT JOIN ref.territory_map AS md ON md.policy = getvariable('territory_policy') AND md.from_code = c.destination
    WHERE c.source_mode IN (getvariable('source_mode'), 'reference') AND c.students IS NOT NULL
      AND c.year BETWEEN getvariable('year_first') AND getvariable('year_last')
)
SELECT
    origin,
    destination,
    year,
    min(academic_year_label) AS academic_year_label,
    round(sum(students))::BIGINT AS students,
    count(*)::INTEGER AS series_merged,
    string_agg(DISTINCT source_version, '; ' ORDER BY source_version) AS source_version,
    string_agg(DISTINCT request, ' ' ORDER BY request) AS request,
    source,
    source_mode,
    max(retrieved_at) AS retrieved_at,
    getvariable('territory_policy') AS territory_policy
FROM mapped
-- A merged territory's students in its own mainland are not international mobility.
WHERE origin <> destination
-- source_mode in the key: a sum never adds synthetic and real rows
GROUP BY origin, destination, year, source, source_mode
