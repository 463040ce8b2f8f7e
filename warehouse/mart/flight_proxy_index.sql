-- mart.flight_proxy_index: one row per origin country → US and year. MEASURED: passengers arriving
-- at US gateways (T-100), their index (2018 = 100) and August share (students arrive in August).
-- MODELLED: passengers allocated to university towns and to control airports, and the
-- difference-in-differences of log modelled passengers, university towns vs controls, between
-- COLLAB_DID_PRE and COLLAB_DID_POST (macro did_2x2), as in Wang et al. 2023
-- (docs/methods.md#difference-in-differences).
-- The measured columns need only the international download; without domestic legs the modelled
-- columns are NULL and `method` says so.
WITH gateway AS (
    SELECT
        origin_country AS origin,
        year,
        sum(passengers)::BIGINT AS passengers,
        (sum(passengers) FILTER (WHERE month = 8))::BIGINT AS august_passengers,
        count(DISTINCT month) AS months,
        max(retrieved_at) AS retrieved_at
    FROM core.international_arrivals
    WHERE direction = 'arrivals'
    GROUP BY origin_country, year
),
towns AS (
    SELECT
        origin_country AS origin,
        year,
        sum(modelled_passengers) FILTER (WHERE role = 'university_town') AS town_passengers,
        sum(modelled_passengers) FILTER (WHERE role = 'control') AS control_passengers
    FROM mart.university_town_inflow
    GROUP BY origin_country, year
),
panel AS (
    SELECT origin_country AS grp, town_airport AS unit, role = 'university_town' AS treated, year,
           ln(sum(modelled_passengers)) AS outcome
    FROM mart.university_town_inflow
    GROUP BY origin_country, town_airport, role, year
    HAVING sum(modelled_passengers) > 0
),
did AS (
    SELECT * FROM did_2x2('panel', getvariable('did_pre_first'), getvariable('did_pre_last'),
                          getvariable('did_post_first'), getvariable('did_post_last'))
)
SELECT
    g.origin,
    'US' AS destination,
    g.year,
    g.passengers,
    g.months AS months_reported,
    -- only whole years against a whole 2018: a partial year (a single downloaded month) is no index
    CASE WHEN g.months = 12 THEN index_to(
        g.passengers, max(g.passengers) FILTER (WHERE g.year = 2018 AND g.months = 12) OVER (PARTITION BY g.origin)
    ) END AS index_2018,
    g.august_passengers,
    CASE WHEN g.months = 12 AND g.passengers > 0 THEN g.august_passengers::DOUBLE / g.passengers END
        AS august_share,
    t.town_passengers,
    t.control_passengers,
    d.estimate AS did_estimate,
    d.std_error AS did_std_error,
    d.treated_change AS did_town_change,
    d.control_change AS did_control_change,
    d.n_treated AS did_towns,
    d.n_control AS did_controls,
    format('{}-{} vs {}-{}', getvariable('did_pre_first'), getvariable('did_pre_last'),
           getvariable('did_post_first'), getvariable('did_post_last')) AS did_window,
    CASE WHEN g.year NOT IN (SELECT year FROM core.domestic_legs)
         THEN 'measured: passengers, index_2018, august_share; modelled_allocation: none (no T-100 domestic legs '
              || 'for this year: drop T_T100D_SEGMENT_ALL_CARRIER files into T100_DIR)'
         ELSE 'measured: passengers, index_2018, august_share; modelled_allocation: town/control passengers, did_*'
    END AS method,
    getvariable('territory_policy') AS territory_policy,
    'bts_t100_international_segment' AS source,
    getvariable('source_mode') AS source_mode,
    g.retrieved_at
FROM gateway AS g
LEFT JOIN towns AS t USING (origin, year)
LEFT JOIN did AS d ON d.grp = g.origin
