-- core.work_countries: K(p), the distinct countries of a work (union of authorships[].countries,
-- the field OpenAlex's authorships.countries filter and group_by use; core.work_facts), after the territory
-- policy.
SELECT DISTINCT w.work_id, coalesce(t.to_code, c.code) AS country, w.source, w.source_mode, w.retrieved_at
FROM core.works AS w
JOIN (SELECT work_id, unnest(countries) AS code FROM core.work_facts) AS c USING (work_id)
LEFT JOIN ref.territory_map AS t
    ON t.policy = getvariable('territory_policy') AND t.from_code = c.code
