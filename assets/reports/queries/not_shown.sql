-- key: table_name, municipality_code, year
-- Per breakdown of the municipality's spend in the year: what is shown and what is not.
SELECT
    t.table_name, t.municipality_code, t.year,
    t.spend_eur, t.spend_shown_eur, t.spend_not_shown_eur, t.rows_not_shown,
    false AS suppressed
FROM marts.spend_not_shown AS t
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY t.table_name, t.municipality_code, t.year
