-- mart.researcher_moves: authors whose affiliation country changes between consecutive publication years
-- (docs/methods.md#researchers-who-move). An author (OpenAlex author id) has, in a year, the country most of
-- their papers of the universe that year list an affiliation in (core.authorship_affiliations, territory
-- policy applied, unlocated 'UNK' pieces ignored); a tie goes to the first country code in alphabetical
-- order. Going through the author's publication years with a country in order, a change of country from one
-- such year to the next is a move origin -> destination, counted in the later year; a returnee moves back to
-- a country they had in any earlier year. Live mode: one row per configured year with NULL counts (an
-- author's full list of works is not fetched, only the focus pairs' joint records).
WITH bylines AS (
    SELECT r.work_id, generate_subscripts(r.authorships, 1) AS author_idx, unnest(r.authorships) AS au
    FROM core.work_records AS r
    WHERE getvariable('source_mode') <> 'live'
),
author_papers AS (
    SELECT DISTINCT b.au.author.id AS author_id, w.year, a.country, a.work_id
    FROM core.authorship_affiliations AS a
    JOIN bylines AS b USING (work_id, author_idx)
    JOIN core.works AS w ON w.work_id = a.work_id
    WHERE w.in_universe AND b.au.author.id IS NOT NULL AND a.country <> 'UNK'
),
author_year AS (
    SELECT author_id, year, country
    FROM (SELECT author_id, year, country, count(*) AS papers FROM author_papers GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY author_id, year ORDER BY papers DESC, country) = 1
),
steps AS (
    SELECT
        author_id,
        year,
        country AS destination,
        lag(country) OVER (PARTITION BY author_id ORDER BY year) AS origin,
        -- the author's first year in this country: before this year means they had it before
        min(year) OVER (PARTITION BY author_id, country) < year AS is_return
    FROM author_year
),
moves AS (
    SELECT
        origin,
        destination,
        year,
        count(*) AS movers,
        count_if(is_return)::BIGINT AS returnees  -- BIGINT: count_if gives HUGEINT, awkward for clients
    FROM steps
    WHERE origin IS NOT NULL AND origin <> destination
    GROUP BY ALL
)
SELECT
    origin,
    destination,
    year::INTEGER AS year,
    movers,
    returnees,
    'authors of every work of the ' || getvariable('source_mode') || ' records, year by year' AS method,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.works) AS retrieved_at
FROM moves
UNION ALL
SELECT
    NULL AS origin,
    NULL AS destination,
    range::INTEGER AS year,
    NULL AS movers,
    NULL AS returnees,
    'not produced in live mode: an author''s full list of works is not fetched (only the joint records of the '
    || 'focus pairs), so a change of affiliation country cannot be seen' AS method,
    (SELECT coalesce(min(source), 'openalex') FROM core.works) AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM core.works) AS retrieved_at
FROM range(getvariable('year_first'), getvariable('year_last') + 1)
WHERE getvariable('source_mode') = 'live'
