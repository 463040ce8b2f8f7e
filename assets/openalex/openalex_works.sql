-- Parse OpenAlex work objects into raw.openalex_works rows. One parse path for every way a work
-- arrives: live list/singleton responses and the bundled sample (both are API work objects).
-- Input: temp table incoming_openalex_works(json_text, request, authors_refetched, retrieved_at).
WITH parsed AS (
    SELECT
        i.*,
        from_json(i.json_text, '{
            "id": "VARCHAR", "publication_year": "INTEGER", "type": "VARCHAR",
            "is_paratext": "BOOLEAN", "is_retracted": "BOOLEAN", "is_authors_truncated": "BOOLEAN",
            "authorships": [{"countries": ["VARCHAR"]}]
        }') AS w
    FROM incoming_openalex_works AS i
)
SELECT
    w.id AS work_id,
    w.publication_year,
    w.type,
    w.is_paratext,
    w.is_retracted,
    -- as listed: a re-fetched singleton says false, but its list form was truncated
    w.is_authors_truncated OR authors_refetched AS is_authors_truncated,
    authors_refetched,
    len(w.authorships) AS n_authorships,
    list_sort(list_distinct(flatten([coalesce(a.countries, []) for a in w.authorships]))) AS countries,
    json_text::JSON AS payload,
    request,
    'openalex' AS source,
    getvariable('source_mode') AS source_mode,
    retrieved_at,
    getvariable('load_id') AS load_id
FROM parsed
