-- key: municipality_code, year
-- How many providers the municipality paid in the year, and how concentrated its spend is.
SELECT
    t.municipality_code, t.year,
    t.providers, t.hhi, t.hhi_band, t.top5_share_pct, t.top5_share_band,
    t.suppressed
FROM marts.provider_landscape AS t
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY t.municipality_code, t.year
