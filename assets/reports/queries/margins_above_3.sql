-- key: municipality_code, year, provider_agb
-- The providers with a margin above 3 %: annual accounts are public, so shown even beside a hidden
-- provider.
SELECT
    t.municipality_code, t.year, t.provider_agb,
    t.provider_name, t.margin_pct,
    false AS suppressed
FROM marts.spend_by_municipality_provider_year AS t
WHERE t.municipality_code = $code AND t.year = $year AND t.margin_above_3pct
ORDER BY t.margin_pct DESC, t.provider_agb
