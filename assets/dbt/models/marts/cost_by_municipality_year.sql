-- Grain: one row per municipality and calendar year of service. Spend and clients set against
-- the youth population (CBS 0-17), the year-on-year change, and the share of spend on products
-- whose NJi recognition is "effectief ..." (evidence-based). Missing population gives NULL.
WITH clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'), ['municipality_code', 'service_year AS year']) }}
),
spend AS (
    SELECT
        l.municipality_code,
        l.service_year AS year,
        sum(l.amount_eur) AS spend_eur,
        sum(l.amount_eur) FILTER (WHERE {{ is_evidence_based('p.nji_recognition') }}) AS evidence_based_eur
    FROM {{ ref('declaration_lines') }} AS l
    LEFT JOIN {{ source('ref', 'products') }} AS p USING (product_code)
    GROUP BY ALL
),
yearly AS (
    SELECT s.*, c.clients, pop.youth_population, prev.spend_eur AS spend_year_before_eur
    FROM spend AS s
    JOIN clients AS c USING (municipality_code, year)
    LEFT JOIN {{ source('ref', 'population') }} AS pop USING (municipality_code, year)
    LEFT JOIN spend AS prev ON prev.municipality_code = s.municipality_code AND prev.year = s.year - 1
)
SELECT
    y.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    y.year::INTEGER AS year,
    {{ cost_measures() }},
    suppressed
FROM (SELECT *, {{ is_small_cell('clients') }} AS suppressed FROM yearly) AS y
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY y.municipality_code, y.year
