-- The municipality-years with spend but no youth population in ref.population.
SELECT DISTINCT l.municipality_code, m.municipality_name, l.service_year AS year
FROM staging.declaration_lines AS l
LEFT JOIN ref.municipalities AS m USING (municipality_code)
ANTI JOIN ref.population AS p ON p.municipality_code = l.municipality_code AND p.year = l.service_year
ORDER BY ALL
