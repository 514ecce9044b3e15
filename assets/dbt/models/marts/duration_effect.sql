-- Grain: one row per product category and duration band (days from start to end: <3m <91,
-- 3-6m <182, 6-12m <365, 12-24m <730, >=24m): how outcomes change with the length of care, all
-- municipalities and years together (the Zoetermeer question: how long does care stay useful).
SELECT
    c.product_category,
    c.duration_band,
    {{ duration_band_order('c.duration_band') }} AS duration_band_order,
    {{ effectiveness_measures() }},
    c.suppressed
FROM {{ effectiveness_cells(ref('trajectory_outcomes'), 'product_category, duration_band') }}
ORDER BY c.product_category, duration_band_order
