-- The summed change in young people of the region's municipalities, only when every member's change
-- is shown; and its size, as the letter prints it beside 'daalde' or 'steeg'.
SELECT
    CASE WHEN count(*) = count(t.youth_population_change) THEN sum(t.youth_population_change) END AS youth_total,
    CASE WHEN count(*) = count(t.youth_population_change) THEN abs(sum(t.youth_population_change)) END
        AS youth_total_abs
FROM marts.spend_growth AS t
WHERE t.municipality_code IN (
        SELECT g.municipality_code FROM marts.cost_by_municipality_year AS g WHERE g.youth_care_region = $region)
  AND t.year = $year AND NOT t.suppressed
