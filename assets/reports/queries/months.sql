-- key: municipality_code, month
-- The quarter's months, for a quarter letter (a year letter keeps to the yearly tables).
SELECT
    t.municipality_code, t.month,
    t.spend_eur, t.clients,
    t.suppressed
FROM marts.cost_trends_by_municipality AS t
WHERE t.municipality_code = $code AND t.month BETWEEN $first_day AND $last_day
ORDER BY t.municipality_code, t.month
