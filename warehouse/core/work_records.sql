-- core.work_records: the paper records of the current mode in one typed shape, whichever way they
-- arrived: API work objects (sample and live: raw.openalex_works, parsed from the payload here) or the
-- snapshot's projected rows (raw.openalex_snapshot_works). Every core paper table reads this, so the
-- universe, the affiliation pieces and K(p) have one definition for all modes. Each authorship carries the
-- author id and its institutions' id, country_code, display_name and ror; field/domain are the work's
-- primary_topic (NULL when it has none, or a record predates these fields).
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
        p.primary_topic.field.id AS field_id,
        p.primary_topic.field.display_name AS field,
        p.primary_topic.domain.id AS domain_id,
        p.primary_topic.domain.display_name AS domain,
        r.source,
        r.source_mode,
        r.retrieved_at
    FROM raw.openalex_works AS r,
         LATERAL (
             SELECT from_json(r.payload, '{
                 "primary_location": {"source": {"issn": ["VARCHAR"]}},
                 "authorships": [{"author": {"id": "VARCHAR"},
                                  "institutions": [{"id": "VARCHAR", "country_code": "VARCHAR",
                                                    "display_name": "VARCHAR", "ror": "VARCHAR"}],
                                  "countries": ["VARCHAR"]}],
                 "primary_topic": {"field": {"id": "VARCHAR", "display_name": "VARCHAR"},
                                   "domain": {"id": "VARCHAR", "display_name": "VARCHAR"}}
             }') AS p
         )
    WHERE r.source_mode = getvariable('source_mode')
),
snapshot AS (
    SELECT
        work_id, publication_year, type, is_paratext, is_retracted, is_authors_truncated,
        false AS authors_refetched, n_authorships, countries, coalesce(issns, []) AS issns,
        -- the Share's authorships joined with the authors column, position by position
        list_transform(authorships, lambda a, i: {
            'author': {'id': authors[i].id},
            'institutions': list_transform(a.institutions, lambda x, j: {
                'id': x.id, 'country_code': x.country_code,
                'display_name': authors[i].institutions[j].display_name, 'ror': authors[i].institutions[j].ror
            }),
            'countries': a.countries
        }) AS authorships,
        field_id, field, domain_id, domain, source, source_mode, retrieved_at
    FROM raw.openalex_snapshot_works
    WHERE source_mode = getvariable('source_mode')
)
SELECT * FROM (SELECT * FROM api UNION ALL BY NAME SELECT * FROM snapshot)
WHERE publication_year BETWEEN getvariable('year_first') AND getvariable('year_last')
