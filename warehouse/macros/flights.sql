-- Flight-proxy maths as DuckDB macros: the single definition of the modelled allocation and of the
-- difference-in-differences (docs/methods.md#the-modelled-allocation, docs/methods.md#difference-in-differences).
-- Marts call them; analysts can too.
-- Table macros take the NAME of a table, view or CTE (query_table) with the documented columns.

-- Great-circle distance in km between two points in degrees (mean Earth radius 6371.0088 km).
CREATE OR REPLACE MACRO haversine_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0088 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)));

-- Onward shares of a gateway's domestic departures: legs(year, month, gateway, dest, passengers) →
-- share of the gateway's departing domestic passengers in that month flying on to dest.
CREATE OR REPLACE MACRO gateway_shares(legs) AS TABLE
    SELECT
        year, month, gateway, dest,
        sum(passengers) AS leg_passengers,
        sum(sum(passengers)) OVER (PARTITION BY year, month, gateway) AS gateway_departures,
        CASE WHEN sum(sum(passengers)) OVER (PARTITION BY year, month, gateway) > 0
             THEN sum(passengers)::DOUBLE / sum(sum(passengers)) OVER (PARTITION BY year, month, gateway)
        END AS share
    FROM query_table(legs)
    GROUP BY year, month, gateway, dest;

-- Modelled allocation (a model, not a measurement): passengers from origin_country arriving at a
-- town = Σ over gateways of (arrivals at the gateway from origin_country) × (the gateway's onward
-- share to the town) in the same month. arrivals(year, month, gateway, origin_country, passengers);
-- towns(town_airport, allocation_airport). Returns the gateway shares used, per town and month.
CREATE OR REPLACE MACRO allocate_arrivals(arrivals, legs, towns) AS TABLE
    WITH shares AS (SELECT * FROM gateway_shares(legs)),
    arr AS (
        SELECT year, month, gateway, origin_country, sum(passengers) AS passengers
        FROM query_table(arrivals) GROUP BY ALL
    )
    SELECT
        a.year, a.month, t.town_airport, a.origin_country,
        sum(a.passengers * s.share) AS modelled_passengers,
        list({'gateway': a.gateway, 'gateway_arrivals': a.passengers, 'share': s.share} ORDER BY a.gateway)
            AS gateway_shares
    FROM arr AS a
    JOIN shares AS s ON s.year = a.year AND s.month = a.month AND s.gateway = a.gateway
    JOIN query_table(towns) AS t ON t.allocation_airport = s.dest
    GROUP BY a.year, a.month, t.town_airport, a.origin_country;

-- 2×2 difference-in-differences over units, one estimate per group: panel(grp, unit, treated, year,
-- outcome) (grp: e.g. the origin country; pass a constant for one estimate). Each unit's change
-- = mean outcome in [post_first, post_last] − mean in [pre_first, pre_last] (units with both only);
-- estimate = mean change of treated − mean change of controls; standard error from the two groups'
-- sample variances (Welch): sqrt(s_t²/n_t + s_c²/n_c). NULL when a group has fewer than 2 units.
CREATE OR REPLACE MACRO did_2x2(panel, pre_first, pre_last, post_first, post_last) AS TABLE
    WITH unit_change AS (
        SELECT
            grp,
            unit,
            bool_and(treated) AS treated,
            avg(outcome) FILTER (WHERE year BETWEEN post_first AND post_last)
              - avg(outcome) FILTER (WHERE year BETWEEN pre_first AND pre_last) AS change
        FROM query_table(panel)
        GROUP BY grp, unit
    ),
    groups AS (
        SELECT
            grp,
            avg(change) FILTER (WHERE treated) AS treated_change,
            avg(change) FILTER (WHERE NOT treated) AS control_change,
            var_samp(change) FILTER (WHERE treated) AS treated_var,
            var_samp(change) FILTER (WHERE NOT treated) AS control_var,
            count(change) FILTER (WHERE treated) AS n_treated,
            count(change) FILTER (WHERE NOT treated) AS n_control
        FROM unit_change
        GROUP BY grp
    )
    SELECT
        grp,
        treated_change,
        control_change,
        CASE WHEN n_treated >= 1 AND n_control >= 1 THEN treated_change - control_change END AS estimate,
        CASE WHEN n_treated >= 2 AND n_control >= 2
             THEN sqrt(treated_var / n_treated + control_var / n_control) END AS std_error,
        n_treated,
        n_control
    FROM groups;
