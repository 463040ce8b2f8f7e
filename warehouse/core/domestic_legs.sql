-- core.domestic_legs: passengers on US domestic nonstop segments (T-100 domestic segment, passenger
-- service classes), per year, month, departure airport and arrival airport: the onward legs the
-- modelled allocation uses.
SELECT
    year,
    month,
    origin AS gateway,
    dest,
    sum(passengers)::BIGINT AS passengers,
    sum(seats)::BIGINT AS seats,
    source,
    source_mode,
    max(retrieved_at) AS retrieved_at
FROM raw.t100_segments
WHERE kind = 'domestic'
  AND list_contains(getvariable('passenger_classes'), class)
  AND source_mode = getvariable('source_mode')
  AND year BETWEEN getvariable('year_first') AND getvariable('year_last')
GROUP BY year, month, origin, dest, source, source_mode
