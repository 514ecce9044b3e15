-- key: municipality_code, measure, year
-- The municipality's rows of region_benchmark, every year up to the letter's.
SELECT
    t.municipality_code, t.measure, t.year,
    t.municipality_value AS value, t.municipality_denominator AS n,
    t.region_value, t.region_denominator AS region_n,
    t.all_value, t.all_denominator AS all_n,
    t.region_rank, t.region_municipalities,
    t.suppressed
FROM marts.region_benchmark AS t
WHERE t.municipality_code = $code AND t.year <= $year
ORDER BY t.year, t.measure
