-- Every month in which a municipality's spend is more than `factor` (the setting spend_jump_factor)
-- times the month before's, or less than the month before's divided by it.
WITH monthly AS (
    SELECT municipality_code, service_month AS month, sum(amount_eur) AS spend_eur
    FROM staging.declaration_lines GROUP BY ALL
),
paired AS (
    SELECT *, lag(spend_eur) OVER (PARTITION BY municipality_code ORDER BY month) AS previous_eur,
           lag(month) OVER (PARTITION BY municipality_code ORDER BY month) AS previous_month
    FROM monthly
)
SELECT p.municipality_code, m.municipality_name, p.month, p.previous_eur, p.spend_eur FROM paired AS p
LEFT JOIN ref.municipalities AS m USING (municipality_code)
WHERE p.previous_month = p.month - INTERVAL 1 MONTH AND p.previous_eur > 0 AND p.spend_eur > 0
  AND (p.spend_eur > $factor * p.previous_eur OR p.spend_eur * $factor < p.previous_eur)
ORDER BY p.municipality_code, p.month
