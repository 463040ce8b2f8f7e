-- Time-series helpers shared by the mobility, flight and (later) normalisation marts.
-- Like the index macros they return NULL, never 0 or infinity, when a denominator is missing or 0.

-- Relative change on the previous year: 0.10 = +10 %. NULL if the previous value is missing or 0.
CREATE OR REPLACE MACRO yoy_change(value, previous) AS
    CASE WHEN previous > 0 THEN value::DOUBLE / previous::DOUBLE - 1 END;

-- Index against a base value (base = 100).
CREATE OR REPLACE MACRO index_to(value, base) AS
    CASE WHEN base > 0 THEN 100.0 * value::DOUBLE / base::DOUBLE END;
