-- key: table_name, year
-- Per breakdown of spend, what is not shown, summed over the region's municipalities.
SELECT
    t.table_name, t.year,
    sum(t.spend_not_shown_eur) AS spend_not_shown_eur,
    sum(t.rows_not_shown) AS rows_not_shown,
    false AS suppressed
FROM marts.spend_not_shown AS t
JOIN marts.dim_municipality AS g USING (municipality_code)
WHERE g.youth_care_region = $region AND t.year = $year
GROUP BY t.table_name, t.year
ORDER BY t.table_name, t.year
