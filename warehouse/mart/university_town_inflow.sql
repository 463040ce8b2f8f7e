-- mart.university_town_inflow: MODELLED passengers from each origin country reaching each
-- university-town (and control) airport per month: T-100 arrivals at each gateway × the gateway's
-- onward domestic share to the town in the same month (macro allocate_arrivals). A model, not a
-- count: it assumes arriving international passengers connect onward like all departing passengers.
WITH arrivals AS (
    SELECT year, month, us_airport AS gateway, origin_country, passengers
    FROM core.international_arrivals
    WHERE direction = 'arrivals'
),
legs AS (
    SELECT year, month, gateway, dest, passengers FROM core.domestic_legs
),
towns AS (
    SELECT airport_iata AS town_airport, allocation_airport FROM ref.university_towns
),
inflow AS (
    SELECT * FROM allocate_arrivals('arrivals', 'legs', 'towns')
)
SELECT
    i.year,
    i.month,
    i.town_airport,
    t.allocation_airport,
    t.role,
    t.university,
    i.origin_country,
    i.modelled_passengers,
    'modelled_allocation' AS method,
    i.gateway_shares,
    getvariable('territory_policy') AS territory_policy,
    'bts_t100_international_segment+bts_t100_domestic_segment' AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.domestic_legs) AS retrieved_at
FROM inflow AS i
JOIN ref.university_towns AS t ON t.airport_iata = i.town_airport
