-- Run-scoped helpers over the settings passed as DuckDB variables (pipeline.warehouse.set_variables).

-- The configured publication years (COLLAB_YEARS), one row each: the grid that zero-fills counts.
CREATE OR REPLACE MACRO configured_years() AS TABLE
    SELECT unnest(range(getvariable('year_first'), getvariable('year_last') + 1)) AS year;
