-- key: product_category, duration_band
-- Share ended as planned by duration band over all municipalities in the file (pooled already).
SELECT
    t.product_category, t.duration_band,
    c.product_category_description AS description, t.duration_band_order AS band_order,
    t.trajectories_ended AS n, t.ended_as_planned_pct,
    t.suppressed
FROM marts.duration_effect AS t
LEFT JOIN marts.dim_product_category AS c USING (product_category)
ORDER BY t.product_category, t.duration_band
