-- key: municipality_code, year
-- The municipality's spend, clients and young people, every year up to the letter's.
SELECT
    t.municipality_code, t.year,
    t.spend_eur, t.clients, t.youth_population, t.spend_per_youth_eur, t.spend_per_client_eur,
    t.evidence_based_spend_pct,
    t.suppressed
FROM marts.cost_by_municipality_year AS t
WHERE t.municipality_code = $code AND t.year <= $year
ORDER BY t.municipality_code, t.year
