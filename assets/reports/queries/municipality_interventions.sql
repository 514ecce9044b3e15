-- key: municipality_code, year, product_code
-- The municipality's interventions in the year, the largest spend first; a product the reference
-- data do not name keeps its code (the letter says so).
SELECT
    t.municipality_code, t.year, t.product_code,
    t.product_category, t.intervention, t.nji_recognition, t.evidence_based, t.spend_eur, t.clients,
    t.trajectories_ended, t.ended_as_planned_pct,
    t.suppressed
FROM marts.interventions AS t
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY t.spend_eur DESC NULLS LAST, t.product_code
