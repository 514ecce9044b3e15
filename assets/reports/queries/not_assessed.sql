-- key: municipality_code, year
-- Spend on interventions the NJi has not assessed, over the shown interventions, by year.
SELECT
    t.municipality_code, t.year,
    sum(t.spend_eur) FILTER (WHERE t.nji_recognition = 'niet beoordeeld' OR t.nji_recognition IS NULL) AS spend_eur,
    sum(t.spend_eur) AS shown_spend_eur,
    false AS suppressed
FROM marts.interventions AS t
WHERE t.municipality_code = $code AND t.year <= $year AND NOT t.suppressed
GROUP BY t.municipality_code, t.year
ORDER BY t.municipality_code, t.year
