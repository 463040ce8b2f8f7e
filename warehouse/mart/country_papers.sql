-- mart.country_papers: per country, year and paper set: full count N_A, international papers
-- C_A^int and fractional Share_A (NULL where the mode has no record of every paper).
SELECT
    c.country,
    c.year,
    c.paper_set,
    c.papers,
    c.intl_papers,
    c.share,
    c.count_basis,
    getvariable('territory_policy') AS territory_policy,
    c.source,
    c.source_mode,
    c.retrieved_at
FROM core.country_year AS c
