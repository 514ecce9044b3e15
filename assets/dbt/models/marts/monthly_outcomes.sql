-- Grain: one row per municipality and month of ending (the month the trajectory ended). Almere's
-- monthly joint evaluation: the counts of effectiveness_by_municipality per month instead of per
-- year, and only counts and sums, so a BI tool may add months up (to a quarter, or to the year,
-- which is effectiveness_by_municipality's row): trajectories ended, ended as planned, dropouts,
-- ended early, ended with an outcome record (surveyed), the questionnaires' answers and the
-- trajectories with one, recurrence, reliable change and the spend on these trajectories. The
-- definitions are the effectiveness marts' (macros/effectiveness.sql, over trajectory_outcomes);
-- a share is computed from a numerator and its denominator summed over the months wanted. A month
-- with fewer than k distinct clients among its endings is suppressed; a questionnaire count resting
-- on fewer than k answers is empty, as in the yearly table. A month without endings has no row.
WITH measures AS (
    SELECT
        c.municipality_code,
        c.month,
        {{ effectiveness_measures() }},
        {{ response_rate_measures() }},
        CASE WHEN NOT c.suppressed THEN c.n_surveyed END AS surveyed_trajectories,
        c.suppressed
    FROM {{ effectiveness_cells('(SELECT *, date_trunc(\'month\', end_date)::DATE AS month FROM '
                                ~ ref('trajectory_outcomes') ~ ')', 'municipality_code, month') }}
)
SELECT
    m.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    m.month,
    year(m.month)::INTEGER AS year,
    m.trajectories_ended,
    m.ended_as_planned,
    m.dropouts,
    m.ended_early,
    m.surveyed_trajectories,
    m.satisfaction_responses,
    m.satisfaction_sum,
    m.satisfaction_trajectories,
    m.self_reliance_responses,
    m.self_reliance_trajectories,
    m.no_further_help,
    m.lighter_or_no_help,
    m.recurrence_measurable,
    m.no_recurrence,
    m.change_responses,
    m.reliable_improvements,
    m.spend_eur,
    m.suppressed
FROM measures AS m
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY m.municipality_code, m.month
