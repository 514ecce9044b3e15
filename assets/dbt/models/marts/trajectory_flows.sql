-- Grain: one row per municipality and month, from the first declared month to the data cut-off
-- (the latest declared product_einddatum): inflow, outflow and the care still running at the
-- month's end, and how long it has run (Almelo: a stricter control mechanism; Hoogeveen: stop
-- trajectories that do not reach their goals). staging.monthly_flows counts them; a row is
-- suppressed when its trajectories concern fewer than k clients. region_benchmark holds the
-- shares running over 12 and 24 months and the mean duration per youth-care region at year end.
-- running_without_outcome_over_12m: running for a year or more with no outcome record at all;
-- running_without_outcome_over_24m: running for two years or more with no outcome record at all (both
-- on one trajectory: "over two years with no result", Hoogeveen).
SELECT
    f.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    f.month,
    {{ unless_suppressed('f.started') }} AS started,
    {{ unless_suppressed('f.ended') }} AS ended,
    {{ unless_suppressed('f.running') }} AS running,
    {{ unless_suppressed('f.running_over_12m') }} AS running_over_12m,
    {{ unless_suppressed('f.running_over_24m') }} AS running_over_24m,
    {{ unless_suppressed('f.running_without_outcome_over_12m') }} AS running_without_outcome_over_12m,
    {{ unless_suppressed('f.running_without_outcome_over_24m') }} AS running_without_outcome_over_24m,
    {{ unless_suppressed('CASE WHEN f.running > 0 THEN round(f.running_days_sum / f.running, 1)::DOUBLE END') }}
        AS mean_running_duration_days,
    f.suppressed
FROM (SELECT *, {{ is_small_cell('clients') }} AS suppressed FROM {{ ref('monthly_flows') }}) AS f
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY f.municipality_code, f.month
