-- key: municipality_code, measure, year
-- Every municipality of the region with its value of each cost, outcome and growth measure in the
-- letter's year: the members side by side.
SELECT
    t.municipality_code, t.measure, t.year,
    coalesce(t.municipality_name, 'gemeente ' || t.municipality_code) AS name,
    t.municipality_value AS value, t.municipality_denominator AS n,
    t.suppressed
FROM marts.region_benchmark AS t
WHERE t.youth_care_region = $region AND t.year = $year
  AND t.measure IN (SELECT m.measure FROM marts.dim_measure AS m WHERE m.measure_group IN ('cost', 'outcome', 'growth'))
ORDER BY t.measure, name, t.municipality_code
