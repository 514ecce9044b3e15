-- Grain: one ended trajectory, internal only: everything the effectiveness marts count.
-- Recurrence is measurable when the end lies at least 182 days before the data cut-off (the
-- latest declared product_einddatum); "no recurrence" = the same client starts no other
-- trajectory (any municipality, any provider) in the 182 days after the end. Reliable change:
-- |end - begin| beats 1.96 x sqrt(2) x sd x sqrt(1 - reliability) in the good direction.
-- Duration bands: days from start to end, banded by the limits of macros/duration_bands.sql
-- ('onbekend' when there is no start date or the end lies before the start).
WITH cutoff AS (
    SELECT max(period_end) AS cutoff_date FROM {{ ref('declaration_lines') }}
),
responses AS (
    SELECT
        r.municipality_code,
        r.allocation_number,
        count(r.satisfaction) AS satisfaction_responses,
        sum(r.satisfaction) AS satisfaction_sum,
        count(r.self_reliance) AS self_reliance_responses,
        count(*) FILTER (WHERE r.self_reliance = '04') AS no_further_help,
        count(*) FILTER (WHERE r.self_reliance IN ('02', '03', '04')) AS lighter_or_no_help,
        -- only against a complete norm (reference_data_meets_contract stops a run with an incomplete one):
        -- a NULL lower_is_better would take the CASE's ELSE and count a worsening as an improvement
        count(*) FILTER (WHERE r.score_begin IS NOT NULL AND r.score_end IS NOT NULL AND n.sd IS NOT NULL
                           AND n.lower_is_better IS NOT NULL AND n.reliability IS NOT NULL)
            AS change_responses,
        count(*) FILTER (
            WHERE r.score_begin IS NOT NULL AND r.score_end IS NOT NULL AND n.sd IS NOT NULL
              AND n.lower_is_better IS NOT NULL AND n.reliability IS NOT NULL
              AND CASE WHEN n.lower_is_better THEN r.score_begin - r.score_end ELSE r.score_end - r.score_begin END
                  > 1.96 * sqrt(2) * n.sd * sqrt(1 - n.reliability)
        ) AS reliable_improvements
    FROM {{ ref('outcome_responses') }} AS r
    LEFT JOIN {{ source('ref', 'instrument_norms') }} AS n USING (instrument)
    GROUP BY ALL
)
SELECT
    t.*,
    year(t.end_date)::INTEGER AS year,
    -- no start date, or an end before the start: the duration is not known, not the longest band
    {{ duration_band_of('t.duration_days') }} AS duration_band,
    t.end_date <= c.cutoff_date - INTERVAL 182 DAY AS recurrence_measurable,
    NOT EXISTS (
        SELECT 1 FROM {{ ref('trajectories') }} AS later
        WHERE later.client_pseudonym = t.client_pseudonym
          AND (later.municipality_code, later.allocation_number) <> (t.municipality_code, t.allocation_number)
          AND later.start_date > t.end_date AND later.start_date <= t.end_date + INTERVAL 182 DAY
    ) AS no_recurrence,
    coalesce(r.satisfaction_responses, 0) AS satisfaction_responses,
    coalesce(r.satisfaction_sum, 0) AS satisfaction_sum,
    coalesce(r.self_reliance_responses, 0) AS self_reliance_responses,
    coalesce(r.no_further_help, 0) AS no_further_help,
    coalesce(r.lighter_or_no_help, 0) AS lighter_or_no_help,
    coalesce(r.change_responses, 0) AS change_responses,
    coalesce(r.reliable_improvements, 0) AS reliable_improvements
FROM {{ ref('trajectories') }} AS t
CROSS JOIN cutoff AS c
LEFT JOIN responses AS r USING (municipality_code, allocation_number)
WHERE t.ended
