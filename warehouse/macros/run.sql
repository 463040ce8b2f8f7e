-- Run-scoped helpers over the settings passed as DuckDB variables (pipeline.warehouse.set_variables).

-- The configured publication years (COLLAB_YEARS), one row each: the grid that zero-fills counts.
CREATE OR REPLACE MACRO configured_years() AS TABLE
    SELECT unnest(range(getvariable('year_first'), getvariable('year_last') + 1)) AS year;

-- Works whose byline is longer than the API's country filter and group_by see (variable author_cut, from
-- assets.openalex.plan.AUTHOR_CUT): live mode counts them from their full records, beside the group_by
-- counts of the rest (docs/methods.md#live-mode-an-exact-split-at-100-authors). `works` names a table with
-- core.paper_set_works' columns.
CREATE OR REPLACE MACRO large_byline_works(works) AS TABLE
    SELECT * FROM query_table(works) WHERE n_authorships > getvariable('author_cut');

-- Each such work once for the located count (intl_only false) and once more for the international count
-- (intl_only true) when it has two or more countries: the two flags the group_by counts come in.
CREATE OR REPLACE MACRO large_byline_works_by_flag(works) AS TABLE
    SELECT w.*, i.intl_only
    FROM large_byline_works(works) AS w
    JOIN (VALUES (false, 1), (true, 2)) AS i(intl_only, min_countries) ON w.n_countries >= i.min_countries;
