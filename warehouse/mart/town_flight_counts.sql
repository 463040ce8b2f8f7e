-- mart.town_flight_counts: MEASURED aircraft arrivals (not passengers) at each university-town and
-- control airport per UTC day, from OpenSky: a corroborating series for the modelled inflow.
SELECT
    a.airport_icao,
    t.airport_iata,
    t.role,
    t.university,
    (to_timestamp(a.last_seen) AT TIME ZONE 'UTC')::DATE AS day,
    count(*)::INTEGER AS flights,
    count(*) FILTER (WHERE a.est_departure_airport IS NULL)::INTEGER AS flights_unknown_departure,
    'opensky' AS source,
    a.source_mode,
    max(a.retrieved_at) AS retrieved_at
FROM raw.opensky_arrivals AS a
LEFT JOIN ref.university_towns AS t ON t.airport_icao = a.airport_icao
WHERE a.source_mode = getvariable('source_mode')
GROUP BY ALL
