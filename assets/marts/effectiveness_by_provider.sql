-- Grain: one row per municipality, year of ending and provider: the effectiveness columns of
-- effectiveness_by_municipality per provider contract.
CREATE OR REPLACE TABLE marts.effectiveness_by_provider AS
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.year,
    c.provider_agb,
    p.provider_name,
    {measures},
    c.suppressed
FROM {cells_municipality_year_provider}
LEFT JOIN ref.municipalities AS g USING (municipality_code)
LEFT JOIN ref.providers AS p USING (provider_agb)
ORDER BY c.municipality_code, c.year, c.provider_agb
