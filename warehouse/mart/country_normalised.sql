-- mart.country_normalised: each country's paper output per year and paper set, normalised by its
-- size (docs/methods.md#size-normalised-output): Share and papers per million people, per US$ bn of R&D spending, per 1,000
-- researchers, and Share per article. World Bank ratios are turned into levels first and merged
-- territories (policy greater_china…) are summed as levels, never averaged as ratios. A missing
-- denominator gives NULL with the reason in `missing_context`; nothing is carried forward.
WITH context AS (
    SELECT
        coalesce(tm.to_code, c.country) AS country,
        c.year,
        -- a merged level is known only when every part is known
        CASE WHEN count(*) = count(c.population) THEN sum(c.population) END AS population,
        CASE WHEN count(*) = count(c.rd_spend_usd) THEN sum(c.rd_spend_usd) END AS rd_spend_usd,
        CASE WHEN count(*) = count(c.researchers) THEN sum(c.researchers) END AS researchers,
        max(c.retrieved_at) AS retrieved_at
    FROM core.country_context AS c
    LEFT JOIN ref.territory_map AS tm ON tm.policy = getvariable('territory_policy') AND tm.from_code = c.country
    GROUP BY ALL
)
SELECT
    p.country,
    p.year,
    p.paper_set,
    p.papers,
    p.share,
    x.population,
    x.rd_spend_usd,
    x.researchers,
    CASE WHEN x.population > 0 THEN p.share / (x.population / 1e6) END AS share_per_million_people,
    CASE WHEN x.population > 0 THEN p.papers / (x.population / 1e6) END AS papers_per_million_people,
    CASE WHEN x.rd_spend_usd > 0 THEN p.share / (x.rd_spend_usd / 1e9) END AS share_per_usd_bn_rd,
    CASE WHEN x.rd_spend_usd > 0 THEN p.papers / (x.rd_spend_usd / 1e9) END AS papers_per_usd_bn_rd,
    CASE WHEN x.researchers > 0 THEN p.share / (x.researchers / 1e3) END AS share_per_thousand_researchers,
    CASE WHEN x.researchers > 0 THEN p.papers / (x.researchers / 1e3) END AS papers_per_thousand_researchers,
    CASE WHEN p.papers > 0 THEN p.share / p.papers END AS share_per_article,
    nullif(concat_ws(', ',
        CASE WHEN x.population IS NULL THEN 'population' END,
        CASE WHEN x.rd_spend_usd IS NULL THEN 'R&D spending' END,
        CASE WHEN x.researchers IS NULL THEN 'researchers' END), '') AS missing_context,
    p.territory_policy,
    p.source || '+worldbank' AS source,
    p.source_mode,
    greatest(p.retrieved_at, x.retrieved_at) AS retrieved_at
FROM mart.country_papers AS p
LEFT JOIN context AS x USING (country, year)
