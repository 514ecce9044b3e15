-- How many providers the municipality paid in the year, and how many of them had a margin above 3 %.
SELECT
    count(*) FILTER (WHERE t.margin_above_3pct) AS providers_above_3,
    count(*) AS provider_rows
FROM marts.spend_by_municipality_provider_year AS t
WHERE t.municipality_code = $code AND t.year = $year
