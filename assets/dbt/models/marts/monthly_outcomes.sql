-- Grain: one row per municipality and month of ending (the month the trajectory ended). Almere's
-- monthly joint evaluation of what went well and what went wrong: the trajectories that ended that
-- month, how many ended as planned, dropped out or ended early (the definitions of
-- effectiveness_by_municipality, macros/effectiveness.sql, over trajectory_outcomes), as counts a
-- BI tool may add up over months (to a quarter, or to the year of effectiveness_by_municipality).
-- The months of one municipality's year are shown together or not at all: all of them only when
-- every month with endings has at least k distinct clients among them, and the year itself too.
-- A single small month hidden among shown ones would be the year less the others; hiding a whole
-- year leaves each month anywhere between none and the year's total, so no second month has to be
-- hidden for it (secondary suppression, which a table of many small cells makes expensive).
-- A month without endings has no row.
WITH months AS (
    SELECT
        municipality_code,
        year,
        date_trunc('month', end_date)::DATE AS month,
        {{ effectiveness_aggregates() }}
    FROM {{ ref('trajectory_outcomes') }}
    GROUP BY ALL
),
years AS (
    SELECT municipality_code, year, count(DISTINCT client_pseudonym) AS n_clients
    FROM {{ ref('trajectory_outcomes') }}
    GROUP BY ALL
),
c AS (
    SELECT
        m.*,
        bool_or({{ is_small_cell('m.n_clients') }}) OVER (PARTITION BY m.municipality_code, m.year)
            OR {{ is_small_cell('y.n_clients') }} AS suppressed
    FROM months AS m
    JOIN years AS y USING (municipality_code, year)
)
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.month,
    c.year::INTEGER AS year,
    CASE WHEN NOT c.suppressed THEN c.n_ended END AS trajectories_ended,
    {{ effectiveness_count('c.n_planned') }} AS ended_as_planned,
    {{ effectiveness_count('c.n_dropout') }} AS dropouts,
    {{ effectiveness_count('c.n_early') }} AS ended_early,
    c.suppressed
FROM c
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY c.municipality_code, c.month
