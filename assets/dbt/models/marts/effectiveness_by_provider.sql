-- Grain: one row per municipality, year of ending and provider: the effectiveness columns of
-- effectiveness_by_municipality per provider contract.
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.year,
    c.provider_agb,
    p.provider_name,
    {{ effectiveness_measures() }},
    c.suppressed
FROM {{ effectiveness_cells(ref('trajectory_outcomes'), 'municipality_code, year, provider_agb') }}
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
LEFT JOIN {{ source('ref', 'providers') }} AS p USING (provider_agb)
ORDER BY c.municipality_code, c.year, c.provider_agb
