-- core.country_context: the World Bank context of each country and year in one row: population,
-- GDP, R&D spending and researchers, with the derived denominators the normalised indices use.
-- A missing input stays NULL (never carried forward here); rows of the current mode, configured years.
WITH wide AS (
    SELECT
        country_iso2 AS country,
        year,
        max(value) FILTER (WHERE indicator = 'SP.POP.TOTL') AS population,
        max(value) FILTER (WHERE indicator = 'NY.GDP.MKTP.CD') AS gdp_usd,
        max(value) FILTER (WHERE indicator = 'GB.XPD.RSDV.GD.ZS') AS rd_pct_gdp,
        max(value) FILTER (WHERE indicator = 'SP.POP.SCIE.RD.P6') AS researchers_per_million,
        string_agg(DISTINCT last_updated, '; ' ORDER BY last_updated) AS source_version,
        any_value(source) AS source,
        any_value(source_mode) AS source_mode,
        max(retrieved_at) AS retrieved_at
    FROM raw.worldbank_indicators
    WHERE source_mode = getvariable('source_mode')
      AND year BETWEEN getvariable('year_first') AND getvariable('year_last')
    GROUP BY country_iso2, year
)
SELECT
    country,
    year,
    population,
    gdp_usd,
    rd_pct_gdp,
    researchers_per_million,
    gdp_usd * rd_pct_gdp / 100 AS rd_spend_usd,
    researchers_per_million * population / 1e6 AS researchers,
    source_version,
    source,
    source_mode,
    retrieved_at
FROM wide
