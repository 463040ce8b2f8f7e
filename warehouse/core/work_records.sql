-- core.work_records: the paper records of the current mode in one typed shape, whichever way they
-- arrived: API work objects (sample and live: raw.openalex_works, parsed from the payload here) or the
-- snapshot's projected rows (raw.openalex_snapshot_works). Every core paper table reads this, so the
-- universe, the affiliation pieces and K(p) have one definition for all modes.
WITH api AS (
    SELECT
        r.work_id,
        r.publication_year,
        r.type,
        r.is_paratext,
        r.is_retracted,
        r.is_authors_truncated,
        r.authors_refetched,
        r.n_authorships,
        r.countries,
        coalesce(p.primary_location.source.issn, []) AS issns,
        p.authorships,
        r.source,
        r.source_mode,
        r.retrieved_at
    FROM raw.openalex_works AS r,
         LATERAL (
             SELECT from_json(r.payload, '{
                 "primary_location": {"source": {"issn": ["VARCHAR"]}},
                 "authorships": [{"institutions": [{"id": "VARCHAR", "country_code": "VARCHAR"}],
                                  "countries": ["VARCHAR"]}]
             }') AS p
         )
    WHERE r.source_mode = getvariable('source_mode')
),
snapshot AS (
    SELECT
        work_id, publication_year, type, is_paratext, is_retracted, is_authors_truncated,
        false AS authors_refetched, n_authorships, countries, coalesce(issns, []) AS issns,
        authorships, source, source_mode, retrieved_at
    FROM raw.openalex_snapshot_works
    WHERE source_mode = getvariable('source_mode')
)
SELECT * FROM (SELECT * FROM api UNION ALL BY NAME SELECT * FROM snapshot)
WHERE publication_year BETWEEN getvariable('year_first') AND getvariable('year_last')
