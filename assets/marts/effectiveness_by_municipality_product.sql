-- Grain: one row per municipality, year of ending and product category (JZ020): the
-- effectiveness columns of effectiveness_by_municipality within each category.
CREATE OR REPLACE TABLE marts.effectiveness_by_municipality_product AS
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.year,
    c.product_category,
    {measures},
    c.suppressed
FROM {cells_municipality_year_product}
LEFT JOIN ref.municipalities AS g USING (municipality_code)
ORDER BY c.municipality_code, c.year, c.product_category
