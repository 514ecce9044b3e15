-- key: youth_care_region, product_category, duration_band
-- Share ended as planned by duration band, the region's table summed over its years: only its shown
-- rows; a category with any hidden row is marked so (and the letter does not use it).
SELECT
    t.youth_care_region, t.product_category, t.duration_band,
    any_value(c.product_category_description) AS description,
    any_value(t.duration_band_order) AS band_order,
    sum(t.trajectories_ended) FILTER (WHERE NOT t.suppressed) AS n,
    100.0 * sum(t.ended_as_planned) FILTER (WHERE NOT t.suppressed)
        / nullif(sum(t.trajectories_ended) FILTER (WHERE NOT t.suppressed), 0) AS ended_as_planned_pct,
    count(*) FILTER (WHERE t.suppressed) AS hidden_rows,
    false AS suppressed
FROM marts.duration_effect_by_region AS t
LEFT JOIN marts.dim_product_category AS c USING (product_category)
WHERE t.youth_care_region = $region
GROUP BY t.youth_care_region, t.product_category, t.duration_band
ORDER BY t.youth_care_region, t.product_category, t.duration_band
