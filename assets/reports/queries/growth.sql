-- key: municipality_code, year
-- The change of the municipality's spend from the year before, split two ways.
SELECT
    t.municipality_code, t.year,
    t.spend_eur, t.spend_year_before_eur, t.spend_change_eur, t.client_effect_eur, t.per_client_effect_eur,
    t.price_effect_eur, t.volume_mix_effect_eur, t.tariff_change_pct, t.clients, t.clients_year_before,
    t.spend_per_client_eur, t.spend_per_client_year_before_eur, t.youth_population, t.youth_population_change,
    100 * t.spend_change_eur / nullif(t.spend_year_before_eur, 0) AS change_pct,
    abs(t.youth_population_change) AS youth_population_change_abs,
    t.suppressed
FROM marts.spend_growth AS t
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY t.municipality_code, t.year
