-- Grain: one row per municipality, calendar year of service and product category. The same
-- measures as cost_by_municipality_year within the category, plus the category's share of the
-- municipality's spend that year.
WITH clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'),
                                 ['municipality_code', 'service_year AS year', 'product_category']) }}
),
spend AS (
    SELECT
        l.municipality_code,
        l.service_year AS year,
        l.product_category,
        sum(l.amount_eur) AS spend_eur,
        sum(l.amount_eur) FILTER (WHERE {{ is_evidence_based('p.nji_recognition') }}) AS evidence_based_eur
    FROM {{ ref('declaration_lines') }} AS l
    LEFT JOIN {{ source('ref', 'products') }} AS p USING (product_code)
    GROUP BY ALL
),
combined AS (
    SELECT s.*, c.clients, pop.youth_population, prev.spend_eur AS spend_year_before_eur,
           sum(s.spend_eur) OVER (PARTITION BY s.municipality_code, s.year) AS municipality_spend_eur
    FROM spend AS s
    JOIN clients AS c USING (municipality_code, year, product_category)
    LEFT JOIN {{ source('ref', 'population') }} AS pop USING (municipality_code, year)
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
    {{ cost_measures() }},
    CASE WHEN NOT suppressed AND y.municipality_spend_eur <> 0
        THEN round(y.spend_eur / y.municipality_spend_eur * 100, 1)::DOUBLE END AS share_of_spend_pct,
    suppressed
FROM (SELECT *, {{ is_small_cell('clients') }} AS suppressed FROM combined) AS y
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY y.municipality_code, y.year, y.product_category
