-- The monthly letter's measures: each in the month and in the same month a year before, summed over
-- the subject's municipalities (one, or a region's: $code or $region), hidden when any of them is
-- hidden, and the change between the two. Columns <measure>_now, <measure>_before, <measure>_change_pct,
-- in the order the letter lists them.
WITH cost AS (
    SELECT
        t.month,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.spend_eur) END AS spend_eur,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.clients) END AS clients
    FROM marts.cost_trends_by_municipality AS t
    WHERE ($code IS NULL OR t.municipality_code = $code) AND ($region IS NULL OR t.youth_care_region = $region)
      AND t.month IN ($month, $before)
    GROUP BY t.month
),
flows AS (
    SELECT
        t.month,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.started) END AS started,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.ended) END AS ended,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.running) END AS running,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.running_over_12m) END AS running_over_12m,
        CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.running_without_outcome_over_12m) END
            AS running_without_outcome_over_12m
    FROM marts.trajectory_flows AS t
    WHERE ($code IS NULL OR t.municipality_code = $code) AND ($region IS NULL OR t.youth_care_region = $region)
      AND t.month IN ($month, $before)
    GROUP BY t.month
)
SELECT
    cn.spend_eur AS spend_eur_now, cb.spend_eur AS spend_eur_before,
    100.0 * (cn.spend_eur - cb.spend_eur) / nullif(cb.spend_eur, 0) AS spend_eur_change_pct,
    cn.clients AS clients_now, cb.clients AS clients_before,
    100.0 * (cn.clients - cb.clients) / nullif(cb.clients, 0) AS clients_change_pct,
    fn.started AS started_now, fb.started AS started_before,
    100.0 * (fn.started - fb.started) / nullif(fb.started, 0) AS started_change_pct,
    fn.ended AS ended_now, fb.ended AS ended_before,
    100.0 * (fn.ended - fb.ended) / nullif(fb.ended, 0) AS ended_change_pct,
    fn.running AS running_now, fb.running AS running_before,
    100.0 * (fn.running - fb.running) / nullif(fb.running, 0) AS running_change_pct,
    fn.running_over_12m AS running_over_12m_now, fb.running_over_12m AS running_over_12m_before,
    100.0 * (fn.running_over_12m - fb.running_over_12m) / nullif(fb.running_over_12m, 0) AS running_over_12m_change_pct,
    fn.running_without_outcome_over_12m AS running_without_outcome_over_12m_now,
    fb.running_without_outcome_over_12m AS running_without_outcome_over_12m_before,
    100.0 * (fn.running_without_outcome_over_12m - fb.running_without_outcome_over_12m)
        / nullif(fb.running_without_outcome_over_12m, 0) AS running_without_outcome_over_12m_change_pct
FROM (SELECT 1) AS one
LEFT JOIN cost AS cn ON cn.month = $month
LEFT JOIN cost AS cb ON cb.month = $before
LEFT JOIN flows AS fn ON fn.month = $month
LEFT JOIN flows AS fb ON fb.month = $before
