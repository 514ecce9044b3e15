-- key: municipality_code, year, provider_agb
-- The municipality's providers in the year with their outcomes. Those sit in their own mart, with
-- their own suppression: hidden there is hidden here; no row there is no trajectory that ended.
SELECT
    t.municipality_code, t.year, t.provider_agb,
    t.provider_name, t.spend_eur, t.share_of_municipality_spend_pct, t.margin_pct, t.margin_above_3pct,
    t.rank_in_municipality,
    CASE WHEN e.suppressed THEN NULL ELSE coalesce(e.trajectories_ended, 0) END AS trajectories_ended,
    CASE WHEN e.suppressed THEN NULL ELSE e.ended_as_planned_pct END AS ended_as_planned_pct,
    CASE WHEN e.suppressed THEN NULL ELSE e.dropout_pct END AS dropout_pct,
    CASE WHEN e.suppressed THEN NULL ELSE e.cost_per_planned_end_eur END AS cost_per_planned_end_eur,
    t.suppressed
FROM marts.spend_by_municipality_provider_year AS t
LEFT JOIN marts.effectiveness_by_provider AS e USING (municipality_code, year, provider_agb)
WHERE t.municipality_code = $code AND t.year = $year
ORDER BY t.rank_in_municipality NULLS LAST, t.provider_agb
