-- Grain: one row per municipality and month, from the first declared month to the data cut-off
-- (the latest declared product_einddatum), before any small-cell rule: what trajectory_flows
-- publishes per municipality and region_benchmark sums per youth-care region at each year's end.
-- A trajectory runs from its start until its end when it has ended (JW307, else the outcome
-- record); one without an end is still running. running_days_sum (the days run by the running
-- trajectories at the month's end) is the numerator of the mean duration, so a region's mean is
-- a weighted one. A month in which nothing ran, started or ended at a municipality has no row.
WITH bounds AS (
    SELECT min(service_month) AS first_month, date_trunc('month', max(period_end)) AS last_month
    FROM {{ ref('declaration_lines') }}
),
months AS (
    SELECT t.municipality_code, m.month::DATE AS month, last_day(m.month)::DATE AS month_end
    FROM (SELECT DISTINCT municipality_code FROM {{ ref('trajectories') }}) AS t
    CROSS JOIN bounds AS b
    CROSS JOIN generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS m(month)
),
spans AS (
    -- each trajectory in each month from its start to its end (or the cut-off)
    SELECT
        m.municipality_code,
        m.month,
        t.client_pseudonym,
        t.surveyed,
        date_trunc('month', t.start_date) = m.month AS started,
        t.ended AND date_trunc('month', t.end_date) = m.month AS ended,
        t.start_date <= m.month_end AND (NOT t.ended OR t.end_date > m.month_end) AS running,
        date_diff('day', t.start_date, m.month_end) AS days
    FROM months AS m
    JOIN {{ ref('trajectories') }} AS t
        ON t.municipality_code = m.municipality_code AND t.start_date <= m.month_end
       AND (NOT t.ended OR t.end_date >= m.month)
)
SELECT
    municipality_code,
    month,
    count(*) FILTER (WHERE started)::BIGINT AS started,
    count(*) FILTER (WHERE ended)::BIGINT AS ended,
    count(*) FILTER (WHERE running)::BIGINT AS running,
    count(*) FILTER (WHERE running AND days >= 365)::BIGINT AS running_over_12m,
    count(*) FILTER (WHERE running AND days >= 730)::BIGINT AS running_over_24m,
    count(*) FILTER (WHERE running AND days >= 365 AND NOT surveyed)::BIGINT AS running_without_outcome_over_12m,
    coalesce(sum(days) FILTER (WHERE running), 0)::BIGINT AS running_days_sum,
    count(DISTINCT client_pseudonym)::BIGINT AS clients
FROM spans
GROUP BY ALL
ORDER BY municipality_code, month
