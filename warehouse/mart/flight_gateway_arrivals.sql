-- mart.flight_gateway_arrivals: passengers arriving at each US gateway from each origin country per
-- month and source. MEASURED, but only to the gateway: no public source follows passengers to their
-- final destination (docs/methods.md#flight-arrival-proxies).
SELECT
    year,
    month,
    us_airport,
    origin_country,
    sum(passengers)::BIGINT AS passengers,
    sum(seats)::BIGINT AS seats,
    count(DISTINCT carrier)::INTEGER AS carriers,
    direction,
    territory_policy,
    source,
    source_mode,
    max(retrieved_at) AS retrieved_at
FROM core.international_arrivals
GROUP BY year, month, us_airport, origin_country, direction, territory_policy, source, source_mode
