-- The municipalities whose tariff change in the latest year exceeds the youth-care index
-- (the setting youth_care_index_pct), the largest first.
SELECT c.municipality_code, m.municipality_name, c.year, round(c.tariff_change_pct, 2) AS tariff_change_pct,
       c.price_effect_eur, c.spend_change_eur
FROM staging.spend_changes AS c
LEFT JOIN ref.municipalities AS m USING (municipality_code)
WHERE c.year = (SELECT max(year) FROM staging.spend_changes) AND c.tariff_change_pct > $youth_care_index_pct
ORDER BY c.tariff_change_pct DESC, c.municipality_code
