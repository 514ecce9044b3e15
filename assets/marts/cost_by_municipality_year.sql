-- Grain: one row per municipality and calendar year of service. Spend and clients set against
-- the youth population (CBS 0-17), the year-on-year change, and the share of spend on products
-- whose NJi recognition is "effectief ..." (evidence-based). Missing population gives NULL.
CREATE OR REPLACE TABLE marts.cost_by_municipality_year AS
WITH client_year AS (
    SELECT municipality_code, service_year AS year, client_pseudonym, sum(amount_eur) AS net_eur
    FROM staging.declaration_lines
    GROUP BY ALL
),
clients AS (
    SELECT municipality_code, year, count(*) FILTER (WHERE net_eur > 0) AS clients
    FROM client_year GROUP BY ALL
),
spend AS (
    SELECT
        l.municipality_code,
        l.service_year AS year,
        sum(l.amount_eur) AS spend_eur,
        sum(l.amount_eur) FILTER (WHERE p.nji_recognition LIKE 'effectief%') AS evidence_based_eur
    FROM staging.declaration_lines AS l
    LEFT JOIN ref.products AS p USING (product_code)
    GROUP BY ALL
),
yearly AS (
    SELECT s.*, c.clients, pop.youth_population, prev.spend_eur AS spend_year_before_eur
    FROM spend AS s
    JOIN clients AS c USING (municipality_code, year)
    LEFT JOIN ref.population AS pop USING (municipality_code, year)
    LEFT JOIN spend AS prev ON prev.municipality_code = s.municipality_code AND prev.year = s.year - 1
)
SELECT
    y.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    y.year::INTEGER AS year,
    {cost_measures},
    suppressed
FROM (SELECT *, clients < {min_cell_size} AS suppressed FROM yearly) AS y
LEFT JOIN ref.municipalities AS g USING (municipality_code)
ORDER BY y.municipality_code, y.year
