-- key: municipality_code, year, referrer
-- The year's starts by referrer (one cohort; the endings are another).
SELECT
    t.municipality_code, t.year, t.referrer,
    r.referrer_description AS description, t.trajectories_started, t.share_of_starts_pct,
    t.region_share_of_starts_pct,
    t.suppressed
FROM marts.referral_channel_starts AS t
LEFT JOIN marts.dim_referrer AS r USING (referrer)
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY r.sort_order NULLS LAST, t.referrer
