-- The (e) anchor of the snapshot benchmark (benchmarks/plain_sql.py): the essential paper counts in plain SQL from
-- per-work facts (warehouse/macros/facts.sql, work_facts) read straight from the snapshot files, independently of
-- the pipeline's tables: its own latest-version rule on raw records, the universe and Nature Index set
-- (core/works.sql's rule, restated), then the counts of core/*.records.sql from the facts alone. The benchmark
-- checks them against the pipeline's count tables, so they are kept apart from the pipeline's SQL on purpose.

-- latest_work_facts(facts, merged): the latest version of each work across partitions (newest partition, then
-- the record's own updated_date, then the later part file, then the later record: the order of
-- staging.sql's snapshot_work_rows and latest.sql), minus the ids listed in the relation `merged` (column id).
CREATE OR REPLACE MACRO latest_work_facts(facts, merged) AS TABLE
SELECT f.*
FROM query_table(facts) AS f
ANTI JOIN query_table(merged) AS m ON m.id = f.work_id
QUALIFY row_number() OVER (
    PARTITION BY f.work_id
    ORDER BY f.partition_date DESC, f.record_updated DESC NULLS LAST, f.part_file DESC, f.record_no DESC
) = 1;

-- facts_paper_sets(facts): the works of each paper set in the configured years (core/works.sql's universe
-- rule and Nature Index flag, core/paper_set_works.sql's sets), K(p) and the Shares after the territory policy.
CREATE OR REPLACE MACRO facts_paper_sets(facts) AS TABLE
WITH territory AS (
    SELECT coalesce(
        map(list(from_code ORDER BY from_code), list(to_code ORDER BY from_code)), MAP {}::MAP(VARCHAR, VARCHAR)
    ) AS to_code
    FROM ref.territory_map WHERE policy = getvariable('territory_policy')
),
universe AS (
    SELECT
        f.work_id,
        f.publication_year AS year,
        coalesce(
            list_has_any(coalesce(f.issns, []), (SELECT list(issn ORDER BY issn) FROM ref.nature_index_issns)), false
        ) AS is_nature_index,
        list_distinct(list_transform(f.countries, lambda c: coalesce(t.to_code[c], c))) AS countries,
        list_transform(f.shares, lambda s: {'country': coalesce(t.to_code[s.country], s.country), 'share': s.share})
            AS shares
    FROM query_table(facts) AS f CROSS JOIN territory AS t
    WHERE f.publication_year BETWEEN getvariable('year_first') AND getvariable('year_last')
      AND CASE
              WHEN f.is_paratext AND getvariable('exclude_paratext') THEN false
              WHEN f.is_retracted AND getvariable('exclude_retracted') THEN false
              WHEN NOT list_contains(getvariable('work_types'), f.type) THEN false
              ELSE true
          END
)
SELECT 'all' AS paper_set, * EXCLUDE (is_nature_index) FROM universe
UNION ALL
SELECT 'nature_index' AS paper_set, * EXCLUDE (is_nature_index) FROM universe WHERE is_nature_index;

-- facts_work_countries(paper_sets): one row per work, paper set and country of K(p), with the work's Share of
-- that country (0 when no piece is coded there) and |K(p)|: the only per-country rows the counts need.
CREATE OR REPLACE MACRO facts_work_countries(paper_sets) AS TABLE
SELECT
    s.paper_set, s.year, s.work_id, c.country, len(s.countries) AS n_countries,
    coalesce(list_sum(list_transform(list_filter(s.shares, lambda x: x.country = c.country), lambda x: x.share)), 0)
        AS share
FROM query_table(paper_sets) AS s, unnest(s.countries) AS c(country);

-- facts_country_year(paper_sets): N_A, C_A^int and Share_A per country, year and paper set (the counted rows of
-- core.country_year, without its zero-filled grid and provenance). Share_A sums every piece coded A, also on
-- works whose K(p) lacks A, as core/country_year.records.sql does.
CREATE OR REPLACE MACRO facts_country_year(paper_sets) AS TABLE
WITH counts AS (
    SELECT country, year, paper_set, count(*) AS papers, count(*) FILTER (WHERE n_countries >= 2) AS intl_papers
    FROM facts_work_countries(paper_sets)
    GROUP BY ALL
),
shares AS (
    SELECT x.country, s.year, s.paper_set, sum(x.share) AS share
    FROM query_table(paper_sets) AS s, unnest(s.shares) AS u(x)
    WHERE x.country <> 'UNK'
    GROUP BY ALL
)
SELECT country, year, paper_set, coalesce(c.papers, 0) AS papers, coalesce(c.intl_papers, 0) AS intl_papers,
       coalesce(sh.share, 0) AS share
FROM counts AS c FULL JOIN shares AS sh USING (country, year, paper_set);

-- facts_world_year(paper_sets): N_W (located papers) and C_W^int per year and paper set.
CREATE OR REPLACE MACRO facts_world_year(paper_sets) AS TABLE
SELECT year, paper_set,
       count(*) FILTER (WHERE len(countries) >= 1) AS world_papers,
       count(*) FILTER (WHERE len(countries) >= 2) AS world_intl_papers
FROM query_table(paper_sets)
GROUP BY ALL;

-- facts_pair_year(paper_sets): every ordered pair that co-authored, C_AB and the Shares s_A, s_B summed over
-- the joint papers (core/pair_joint_records.sql).
CREATE OR REPLACE MACRO facts_pair_year(paper_sets) AS TABLE
WITH wc AS (SELECT * FROM facts_work_countries(paper_sets) WHERE n_countries >= 2)
SELECT a.country AS country_a, b.country AS country_b, a.year, a.paper_set,
       count(*) AS coauthored, sum(a.share) AS share_a_joint, sum(b.share) AS share_b_joint
FROM wc AS a JOIN wc AS b ON a.work_id = b.work_id AND a.paper_set = b.paper_set AND a.country <> b.country
GROUP BY ALL;
