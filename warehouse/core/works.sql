-- core.works: one row per OpenAlex work of the current mode and year range, with the paper
-- universe decision (default: type = article, not paratext, not retracted) and Nature Index flag.
WITH src AS (SELECT * FROM core.work_facts),
flagged AS (
    SELECT
        src.*,
        CASE
            WHEN src.is_paratext AND getvariable('exclude_paratext') THEN 'paratext'
            WHEN src.is_retracted AND getvariable('exclude_retracted') THEN 'retracted'
            WHEN NOT list_contains(getvariable('work_types'), src.type) THEN 'other_type'
        END AS excluded_reason
    FROM src
)
SELECT
    f.work_id,
    f.publication_year AS year,
    f.type,
    f.is_paratext,
    f.is_retracted,
    f.is_authors_truncated,
    f.authors_refetched,
    f.n_authorships,
    coalesce(f.issns, []) AS issns,
    f.excluded_reason,
    f.excluded_reason IS NULL AS in_universe,
    -- one list of the fixed set's ISSNs, intersected per work (not a subquery per work)
    coalesce(list_has_any(f.issns, (SELECT list(issn) FROM ref.nature_index_issns)), false) AS is_nature_index,
    f.source,
    f.source_mode,
    f.retrieved_at
FROM flagged AS f
