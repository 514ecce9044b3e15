-- Grain: one row per youth-care region, year of ending, product category and duration band
-- (days from start to end: <3m <91, 3-6m <182, 6-12m <365, 12-24m <730, >=24m), with the band's
-- sort order: does longer care still add result, per region and period (Zoetermeer).
SELECT
    c.youth_care_region,
    c.year::INTEGER AS year,
    c.product_category,
    c.duration_band,
    {{ duration_band_order('c.duration_band') }} AS duration_band_order,
    {{ effectiveness_measures() }},
    c.suppressed
FROM {{ effectiveness_cells('(SELECT o.*, g.youth_care_region FROM ' ~ ref('trajectory_outcomes')
                            ~ ' AS o LEFT JOIN ' ~ source('ref', 'municipalities') ~ ' AS g USING (municipality_code))',
                            'youth_care_region, year, product_category, duration_band') }}
ORDER BY c.youth_care_region, c.year, c.product_category, duration_band_order
