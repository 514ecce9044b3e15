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
),
now AS (
    SELECT * FROM (SELECT 1) AS one
    LEFT JOIN cost AS c ON c.month = $month
    LEFT JOIN flows AS f ON f.month = $month
),
before AS (
    SELECT * FROM (SELECT 1) AS one
    LEFT JOIN cost AS c ON c.month = $before
    LEFT JOIN flows AS f ON f.month = $before
)
SELECT
    n.spend_eur AS spend_eur_now, b.spend_eur AS spend_eur_before,
    100.0 * (n.spend_eur - b.spend_eur) / nullif(b.spend_eur, 0) AS spend_eur_change_pct,
    n.clients AS clients_now, b.clients AS clients_before,
    100.0 * (n.clients - b.clients) / nullif(b.clients, 0) AS clients_change_pct,
    n.started AS started_now, b.started AS started_before,
    100.0 * (n.started - b.started) / nullif(b.started, 0) AS started_change_pct,
    n.ended AS ended_now, b.ended AS ended_before,
    100.0 * (n.ended - b.ended) / nullif(b.ended, 0) AS ended_change_pct,
    n.running AS running_now, b.running AS running_before,
    100.0 * (n.running - b.running) / nullif(b.running, 0) AS running_change_pct,
    n.running_over_12m AS running_over_12m_now, b.running_over_12m AS running_over_12m_before,
    100.0 * (n.running_over_12m - b.running_over_12m) / nullif(b.running_over_12m, 0) AS running_over_12m_change_pct,
    n.running_without_outcome_over_12m AS running_without_outcome_over_12m_now,
    b.running_without_outcome_over_12m AS running_without_outcome_over_12m_before,
    100.0 * (n.running_without_outcome_over_12m - b.running_without_outcome_over_12m)
        / nullif(b.running_without_outcome_over_12m, 0) AS running_without_outcome_over_12m_change_pct
FROM now AS n, before AS b
