-- Grain: one row per municipality, year of ending and product category (JZ020): the
-- effectiveness columns of effectiveness_by_municipality within each category.
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.year,
    c.product_category,
    {{ effectiveness_measures() }},
    c.suppressed
FROM {{ effectiveness_cells(ref('trajectory_outcomes'), 'municipality_code, year, product_category') }}
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY c.municipality_code, c.year, c.product_category
