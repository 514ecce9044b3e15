-- Grain: one row per municipality, calendar year of service and product category. The same
-- measures as cost_by_municipality_year within the category, plus the category's share of the
-- municipality's spend that year.
CREATE OR REPLACE TABLE marts.cost_by_municipality_product_year AS
WITH client_cat AS (
    SELECT municipality_code, service_year AS year, product_category, client_pseudonym, sum(amount_eur) AS net_eur
    FROM staging.declaration_lines
    GROUP BY ALL
),
clients AS (
    SELECT municipality_code, year, product_category, count(*) FILTER (WHERE net_eur > 0) AS clients
    FROM client_cat GROUP BY ALL
),
spend AS (
    SELECT
        l.municipality_code,
        l.service_year AS year,
        l.product_category,
        sum(l.amount_eur) AS spend_eur,
        sum(l.amount_eur) FILTER (WHERE p.nji_recognition LIKE 'effectief%') AS evidence_based_eur
    FROM staging.declaration_lines AS l
    LEFT JOIN ref.products AS p USING (product_code)
    GROUP BY ALL
),
combined AS (
    SELECT s.*, c.clients, pop.youth_population, prev.spend_eur AS spend_year_before_eur,
           sum(s.spend_eur) OVER (PARTITION BY s.municipality_code, s.year) AS municipality_spend_eur
    FROM spend AS s
    JOIN clients AS c USING (municipality_code, year, product_category)
    LEFT JOIN ref.population AS pop USING (municipality_code, year)
    LEFT JOIN spend AS prev
        ON prev.municipality_code = s.municipality_code AND prev.year = s.year - 1
        AND prev.product_category = s.product_category
)
SELECT
    y.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    y.year::INTEGER AS year,
    y.product_category,
    {cost_measures},
    CASE WHEN NOT suppressed AND y.municipality_spend_eur <> 0
        THEN round(y.spend_eur / y.municipality_spend_eur * 100, 1)::DOUBLE END AS share_of_spend_pct,
    suppressed
FROM (SELECT *, clients < {min_cell_size} AS suppressed FROM combined) AS y
LEFT JOIN ref.municipalities AS g USING (municipality_code)
ORDER BY y.municipality_code, y.year, y.product_category
