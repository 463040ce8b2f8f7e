-- mart.papers_quality: data-quality figures per publication year and source for the paper records
-- this build read (sample: every bundled work; live: the joint works between focus countries).
WITH authors AS (
    SELECT work_id, author_idx, bool_and(country = 'UNK') AS no_country
    FROM core.authorship_affiliations GROUP BY ALL
),
per_work AS (
    SELECT a.work_id, count(*) AS n_authorships, count(*) FILTER (WHERE a.no_country) AS n_no_country
    FROM authors AS a GROUP BY ALL
),
unassigned AS (
    SELECT work_id, share AS unk_share FROM core.work_country_shares WHERE country = 'UNK'
),
located AS (SELECT DISTINCT work_id FROM core.work_countries)
SELECT
    w.year,
    w.source,
    w.source_mode,
    getvariable('record_scope') AS record_scope,
    count(*) AS works_seen,
    count(*) FILTER (WHERE w.in_universe) AS works_in_universe,
    count(*) FILTER (WHERE w.excluded_reason = 'paratext') AS excluded_paratext,
    count(*) FILTER (WHERE w.excluded_reason = 'retracted') AS excluded_retracted,
    count(*) FILTER (WHERE w.excluded_reason = 'other_type') AS excluded_other_type,
    count(*) FILTER (WHERE w.in_universe AND l.work_id IS NULL) AS universe_works_unlocated,
    sum(pw.n_authorships) FILTER (WHERE w.in_universe) AS universe_authorships,
    sum(pw.n_no_country) FILTER (WHERE w.in_universe) / nullif(sum(pw.n_authorships) FILTER (WHERE w.in_universe), 0)
        AS share_authorships_no_country,
    sum(coalesce(u.unk_share, 0)) FILTER (WHERE w.in_universe)
        / nullif(count(*) FILTER (WHERE w.in_universe), 0) AS share_unassigned,
    count(*) FILTER (WHERE w.is_authors_truncated) AS truncated_author_lists,
    count(*) FILTER (WHERE w.authors_refetched) AS truncated_refetched,
    max(w.retrieved_at) AS retrieved_at
FROM core.works AS w
LEFT JOIN per_work AS pw USING (work_id)
LEFT JOIN unassigned AS u USING (work_id)
LEFT JOIN located AS l USING (work_id)
GROUP BY w.year, w.source, w.source_mode
