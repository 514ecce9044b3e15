-- key: youth_care_region, year, referrer
-- The region's share of the year's starts per referrer.
SELECT
    t.youth_care_region, t.year, t.referrer,
    any_value(r.referrer_description) AS description,
    max(t.region_share_of_starts_pct) AS region_share_of_starts_pct,
    false AS suppressed
FROM marts.referral_channel_starts AS t
LEFT JOIN marts.dim_referrer AS r USING (referrer)
WHERE t.youth_care_region = $region AND t.year = $year
GROUP BY t.youth_care_region, t.year, t.referrer
ORDER BY t.referrer
