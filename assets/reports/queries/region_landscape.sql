-- key: municipality_code, year
-- Per municipality of the region: how many providers it paid in the year, and how concentrated.
SELECT
    t.municipality_code, t.year,
    coalesce(t.municipality_name, 'gemeente ' || t.municipality_code) AS name,
    t.providers, t.hhi, t.hhi_band, t.top5_share_pct, t.top5_share_band,
    t.suppressed
FROM marts.provider_landscape AS t
WHERE t.youth_care_region = $region AND t.year = $year
ORDER BY name
