-- The region's municipalities in the file, by name.
SELECT DISTINCT
    t.municipality_code AS code,
    coalesce(t.municipality_name, 'gemeente ' || t.municipality_code) AS name
FROM marts.cost_by_municipality_year AS t
WHERE t.youth_care_region = $region
ORDER BY name
