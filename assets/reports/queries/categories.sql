-- key: municipality_code, year, product_category
-- The outcomes of the year's ended trajectories per product category.
SELECT
    t.municipality_code, t.year, t.product_category,
    c.product_category_description AS description, t.trajectories_ended, t.ended_as_planned_pct, t.dropout_pct,
    t.no_recurrence_pct,
    t.suppressed
FROM marts.effectiveness_by_municipality_product AS t
LEFT JOIN marts.dim_product_category AS c USING (product_category)
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY t.municipality_code, t.year, t.product_category
