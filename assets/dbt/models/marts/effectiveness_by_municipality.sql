-- Grain: one row per municipality and year of ending. What the care achieved for the
-- trajectories that ended that year (national outcome set): ended as planned, dropout, ended
-- early, satisfaction, self-reliance, no recurrence within 182 days, reliable improvement, and
-- their spend per ended trajectory and per planned ending; and the questionnaires' response per
-- trajectory (ended trajectories with at least one response), beside the responses per informant.
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.year,
    {{ effectiveness_measures() }},
    {{ response_rate_measures() }},
    c.suppressed
FROM {{ effectiveness_cells(ref('trajectory_outcomes'), 'municipality_code, year') }}
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY c.municipality_code, c.year
