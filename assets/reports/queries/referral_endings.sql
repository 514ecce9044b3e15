-- key: municipality_code, year, referrer
-- The year's endings by who once referred them (most of them started in an earlier year).
SELECT
    t.municipality_code, t.year, t.referrer,
    r.referrer_description AS description, t.trajectories_ended, t.ended_as_planned_pct, t.dropout_pct,
    t.suppressed
FROM marts.referral_channel_endings AS t
LEFT JOIN marts.dim_referrer AS r USING (referrer)
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY r.sort_order NULLS LAST, t.referrer
