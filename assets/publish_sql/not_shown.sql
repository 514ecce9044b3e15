-- The labelled remainder of one breakdown ({breakdown}) in its remainder table ({not_shown}), per key
-- of the parent it rolls up to ({parent}, joined on {by}): the parent's spend as published, what the
-- breakdown's shown rows add up to, the difference, and how many rows are shown and not. Run once
-- per entry of a mart's meta.rolls_up that names a remainder table (not_shown), after the last cell
-- is hidden, so the remainder tells no more than the file already does.
INSERT INTO {catalog}.marts.{not_shown}
SELECT '{breakdown}', {by_b}, any_value(y.spend_eur),
       coalesce(sum(b.spend_eur), 0), any_value(y.spend_eur) - coalesce(sum(b.spend_eur), 0),
       count(*) FILTER (WHERE NOT b.suppressed), count(*) FILTER (WHERE b.suppressed)
FROM {catalog}.marts.{breakdown} AS b
LEFT JOIN {catalog}.marts.{parent} AS y USING ({by})
GROUP BY ALL ORDER BY ALL
