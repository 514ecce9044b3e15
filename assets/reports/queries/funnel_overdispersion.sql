-- Each outcome's overdispersion in the period (the same on every row of it, and given even on a
-- hidden row): the funnel's curves are drawn from it.
SELECT
    any_value(t.dropout_overdispersion) AS dropout,
    any_value(t.planned_overdispersion) AS planned
FROM marts.provider_adjusted_outcomes AS t
WHERE t.period = $period
