-- core.mobile_students: UIS totals of internationally mobile tertiary students per country and year,
-- inbound (studying in the country) and outbound (its nationals studying abroad); ISO-2 codes after
-- the territory policy; rows of the current source_mode.
WITH coded AS (
    SELECT
        coalesce(tm.to_code, c.iso2) AS country,
        r.year,
        r.indicator_kind,
        r.value,
        r.source, r.source_version, r.source_mode, r.retrieved_at
    FROM raw.uis_records AS r
    JOIN ref.countries AS c ON c.iso3 = r.geo_unit
    LEFT JOIN ref.territory_map AS tm ON tm.policy = getvariable('territory_policy') AND tm.from_code = c.iso2
    WHERE r.indicator_kind IN ('inbound_total', 'outbound_total')
      AND r.source_mode = getvariable('source_mode')
)
SELECT
    country,
    year,
    round(sum(value) FILTER (WHERE indicator_kind = 'inbound_total'))::BIGINT AS inbound_students,
    round(sum(value) FILTER (WHERE indicator_kind = 'outbound_total'))::BIGINT AS outbound_students,
    source,
    string_agg(DISTINCT source_version, '; ' ORDER BY source_version) AS source_version,
    any_value(source_mode) AS source_mode,
    max(retrieved_at) AS retrieved_at,
    getvariable('territory_policy') AS territory_policy
FROM coded
GROUP BY country, year, source
