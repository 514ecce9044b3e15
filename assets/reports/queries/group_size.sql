-- How many municipalities the file's 'all municipalities' value covers: the comparison group is
-- named for what it is.
SELECT count(DISTINCT t.municipality_code)
FROM marts.region_benchmark AS t
WHERE t.year = $year AND t.measure = 'spend_per_youth_eur'
