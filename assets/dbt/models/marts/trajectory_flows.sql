-- Grain: one row per municipality and month, from the first declared month to the data cut-off
-- (the latest declared product_einddatum): inflow, outflow and the care still running at the
-- month's end, and how long it has run (Almelo: a stricter control mechanism; Hoogeveen: stop
-- trajectories that do not reach their goals). A trajectory runs from its start until its end
-- when it has ended (JW307, else the outcome record); one without an end is still running.
-- running_without_outcome_over_12m: running for a year or more with no outcome record at all.
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
),
flows AS (
    SELECT
        municipality_code,
        month,
        count(*) FILTER (WHERE started) AS started,
        count(*) FILTER (WHERE ended) AS ended,
        count(*) FILTER (WHERE running) AS running,
        count(*) FILTER (WHERE running AND days >= 365) AS running_over_12m,
        count(*) FILTER (WHERE running AND days >= 730) AS running_over_24m,
        count(*) FILTER (WHERE running AND days >= 365 AND NOT surveyed) AS running_without_outcome_over_12m,
        avg(days) FILTER (WHERE running) AS mean_running_duration_days,
        count(DISTINCT client_pseudonym) AS clients
    FROM spans
    GROUP BY ALL
)
SELECT
    f.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    f.month,
    {{ unless_suppressed('f.started::BIGINT') }} AS started,
    {{ unless_suppressed('f.ended::BIGINT') }} AS ended,
    {{ unless_suppressed('f.running::BIGINT') }} AS running,
    {{ unless_suppressed('f.running_over_12m::BIGINT') }} AS running_over_12m,
    {{ unless_suppressed('f.running_over_24m::BIGINT') }} AS running_over_24m,
    {{ unless_suppressed('f.running_without_outcome_over_12m::BIGINT') }} AS running_without_outcome_over_12m,
    {{ unless_suppressed('round(f.mean_running_duration_days, 1)::DOUBLE') }} AS mean_running_duration_days,
    f.suppressed
FROM (SELECT *, {{ is_small_cell('clients') }} AS suppressed FROM flows) AS f
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY f.municipality_code, f.month
