-- core.international_arrivals: passengers on nonstop flights from abroad into US airports, one row
-- per source row (year, month, US airport, foreign airport, carrier). T-100 international segment
-- rows are arrivals only (dest in the US, passenger service classes); DOT Socrata rows count both
-- directions of the route (the dataset does not encode direction) and say so in `direction`.
-- origin_country is ISO-2 after the run's territory policy (HK separate unless the policy merges it).
WITH t100 AS (
    SELECT
        year, month, dest AS us_airport, origin AS foreign_airport, origin_country AS country_as_given,
        unique_carrier AS carrier, passengers, seats, 'arrivals' AS direction,
        source, source_mode, retrieved_at
    FROM raw.t100_segments
    WHERE kind = 'international'
      AND dest_country = 'US' AND origin_country <> 'US'
      AND list_contains(getvariable('passenger_classes'), class)
),
soda AS (
    SELECT
        s.year, s.month, s.usg_apt AS us_airport, s.fg_apt AS foreign_airport, a.country AS country_as_given,
        s.carrier, s.total AS passengers, NULL::BIGINT AS seats, 'both_directions' AS direction,
        s.source, s.source_mode, s.retrieved_at
    FROM raw.soda_passengers AS s
    LEFT JOIN ref.airports AS a ON a.iata = s.fg_apt
),
rows AS (
    SELECT * FROM t100
    UNION ALL BY NAME
    SELECT * FROM soda
)
SELECT
    r.year,
    r.month,
    r.us_airport,
    r.foreign_airport,
    coalesce(tm.to_code, r.country_as_given) AS origin_country,
    r.carrier,
    r.passengers,
    r.seats,
    r.direction,
    getvariable('territory_policy') AS territory_policy,
    r.source,
    r.source_mode,
    r.retrieved_at
FROM rows AS r
LEFT JOIN ref.territory_map AS tm
    ON tm.policy = getvariable('territory_policy') AND tm.from_code = r.country_as_given
WHERE r.source_mode = getvariable('source_mode')
  AND r.year BETWEEN getvariable('year_first') AND getvariable('year_last')
