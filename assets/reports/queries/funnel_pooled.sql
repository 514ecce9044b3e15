-- Whether the file pools three years up to the letter's over all municipalities (the funnel then
-- uses them: three years of endings move less by chance than one).
SELECT count(*)
FROM marts.provider_adjusted_outcomes AS t
WHERE t.area_level = 'all' AND t.period = $pooled
