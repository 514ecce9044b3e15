-- key: municipality_code, year
-- The young people of each of the region's municipalities in the year, and their change.
SELECT
    t.municipality_code, t.year,
    t.youth_population, t.youth_population_change,
    t.suppressed
FROM marts.spend_growth AS t
WHERE t.municipality_code IN (
        SELECT g.municipality_code FROM marts.cost_by_municipality_year AS g WHERE g.youth_care_region = $region)
  AND t.year = $year
ORDER BY t.municipality_code, t.year
