-- ref.university_towns: the curated university-town and control airports
-- (pipeline/reference/university_towns.csv) with each airport's coordinates from ref.airports, the
-- great-circle distance from the university to it, and the airport the modelled allocation uses
-- (the commercial gateway for general-aviation-only fields).
-- Input: temp table incoming_towns.
WITH nearest AS (
    -- The nearest IATA-coded US airport to each campus, for comparison with the curated choice
    -- (airportsdata cannot tell commercial fields from general-aviation ones; the CSV's reason does).
    SELECT
        t.airport_iata,
        arg_min(a.iata, haversine_km(t.university_lat, t.university_lon, a.lat, a.lon)) AS nearest_iata,
        min(haversine_km(t.university_lat, t.university_lon, a.lat, a.lon)) AS nearest_km
    FROM incoming_towns AS t
    JOIN ref.airports AS a ON a.country = 'US'
    WHERE t.university_lat IS NOT NULL
    GROUP BY t.airport_iata
)
SELECT
    t.*,
    coalesce(t.gateway_iata, t.airport_iata) AS allocation_airport,
    a.name AS airport_name,
    a.lat AS airport_lat,
    a.lon AS airport_lon,
    haversine_km(t.university_lat, t.university_lon, a.lat, a.lon) AS distance_km,
    n.nearest_iata,
    n.nearest_km
FROM incoming_towns AS t
LEFT JOIN ref.airports AS a ON a.iata = t.airport_iata
LEFT JOIN nearest AS n ON n.airport_iata = t.airport_iata
