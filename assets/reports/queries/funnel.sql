-- key: provider_agb, area_level, area_code, period
-- The providers that worked in the municipality or region (area_level) in the period, each at its
-- point over all municipalities in the file: one area's cell of a provider is mostly too small to show.
SELECT
    t.provider_agb, t.area_level, t.area_code, t.period,
    t.provider_name, t.trajectories_ended,
    t.dropouts AS dropout_observed, t.expected_dropouts AS dropout_expected,
    t.dropout_ratio, t.dropout_lower_998, t.dropout_lower_95, t.dropout_upper_95, t.dropout_upper_998,
    t.dropout_signal,
    t.ended_as_planned AS planned_observed, t.expected_planned AS planned_expected,
    t.planned_ratio, t.planned_lower_998, t.planned_lower_95, t.planned_upper_95, t.planned_upper_998,
    t.planned_signal,
    t.suppressed
FROM marts.provider_adjusted_outcomes AS t
WHERE t.area_level = 'all' AND t.period = $period
  AND t.provider_agb IN (
    SELECT m.provider_agb
    FROM marts.provider_adjusted_outcomes AS m
    WHERE m.area_level = 'municipality' AND m.last_year BETWEEN $first AND $year
      AND (($kind = 'municipality' AND m.area_code = $area)
           OR ($kind = 'region' AND m.area_code IN (
                SELECT g.municipality_code FROM marts.dim_municipality AS g WHERE g.youth_care_region = $area))))
ORDER BY t.provider_name, t.provider_agb
