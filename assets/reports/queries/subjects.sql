-- Every municipality with declarations in the file, with its region: the letters there are.
SELECT DISTINCT municipality_code, municipality_name, youth_care_region
FROM marts.cost_by_municipality_year
ORDER BY municipality_code
