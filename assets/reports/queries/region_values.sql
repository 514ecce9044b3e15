-- key: youth_care_region, measure, year
-- The region's own values of region_benchmark (the same on every member's row), every year up to
-- the letter's.
SELECT
    t.youth_care_region, t.measure, t.year,
    any_value(t.region_value) AS value, any_value(t.region_denominator) AS n,
    any_value(t.all_value) AS all_value, any_value(t.all_denominator) AS all_n,
    false AS suppressed
FROM marts.region_benchmark AS t
WHERE t.youth_care_region = $region AND t.year <= $year
GROUP BY t.youth_care_region, t.measure, t.year
ORDER BY t.year, t.measure
