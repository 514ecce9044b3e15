-- Grain: one row per municipality, year of ending and age band at the start (0-3, 4-11, 12-17,
-- 18+; 'onbekend' without a start, stop or allocation message): the effectiveness columns of
-- effectiveness_by_municipality within each band, the first step towards comparing
-- municipalities whose children differ in age (case mix).
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.year,
    c.age_band,
    list_position(['0-3', '4-11', '12-17', '18+', 'onbekend'], c.age_band)::BIGINT AS age_band_order,
    {{ effectiveness_measures() }},
    c.suppressed
FROM {{ effectiveness_cells(ref('trajectory_outcomes'), 'municipality_code, year, age_band') }}
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY c.municipality_code, c.year, age_band_order
