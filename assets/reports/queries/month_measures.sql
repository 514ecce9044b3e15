-- The monthly letter's measures, written once: each in the month and in the same month a year before,
-- summed over the subject's municipalities (one, or a region's: $code or $region), hidden when any of
-- them is hidden, and the change between the two; beside them how the letter names the measure in a
-- table's row (letter_label) and as the subject of a sentence (letter_subject), and the format it
-- prints the value in (letter_format: a format of assets/reports/formatting.py). Columns
-- <measure>_letter_label, <measure>_letter_subject, <measure>_letter_format, <measure>_now,
-- <measure>_before, <measure>_change_pct, in the order the letter lists them.
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
    'Uitgaven' AS spend_eur_letter_label,
    'Uitgaven' AS spend_eur_letter_subject,
    'euro' AS spend_eur_letter_format,
    cn.spend_eur AS spend_eur_now, cb.spend_eur AS spend_eur_before,
    100.0 * (cn.spend_eur - cb.spend_eur) / nullif(cb.spend_eur, 0) AS spend_eur_change_pct,
    'Cliënten' AS clients_letter_label,
    'Cliënten' AS clients_letter_subject,
    'int' AS clients_letter_format,
    cn.clients AS clients_now, cb.clients AS clients_before,
    100.0 * (cn.clients - cb.clients) / nullif(cb.clients, 0) AS clients_change_pct,
    'Begonnen trajecten' AS started_letter_label,
    'Begonnen trajecten' AS started_letter_subject,
    'int' AS started_letter_format,
    fn.started AS started_now, fb.started AS started_before,
    100.0 * (fn.started - fb.started) / nullif(fb.started, 0) AS started_change_pct,
    'Beëindigde trajecten' AS ended_letter_label,
    'Beëindigde trajecten' AS ended_letter_subject,
    'int' AS ended_letter_format,
    fn.ended AS ended_now, fb.ended AS ended_before,
    100.0 * (fn.ended - fb.ended) / nullif(fb.ended, 0) AS ended_change_pct,
    'Lopende trajecten aan het eind van de maand' AS running_letter_label,
    'Lopende trajecten aan het eind van de maand' AS running_letter_subject,
    'int' AS running_letter_format,
    fn.running AS running_now, fb.running AS running_before,
    100.0 * (fn.running - fb.running) / nullif(fb.running, 0) AS running_change_pct,
    'waarvan langer dan een jaar' AS running_over_12m_letter_label,
    'Het aantal trajecten dat langer dan een jaar loopt' AS running_over_12m_letter_subject,
    'int' AS running_over_12m_letter_format,
    fn.running_over_12m AS running_over_12m_now, fb.running_over_12m AS running_over_12m_before,
    100.0 * (fn.running_over_12m - fb.running_over_12m) / nullif(fb.running_over_12m, 0) AS running_over_12m_change_pct,
    'waarvan langer dan een jaar zonder uitkomstmeting' AS running_without_outcome_over_12m_letter_label,
    'Het aantal trajecten dat langer dan een jaar loopt zonder uitkomstmeting' AS running_without_outcome_over_12m_letter_subject,
    'int' AS running_without_outcome_over_12m_letter_format,
    fn.running_without_outcome_over_12m AS running_without_outcome_over_12m_now,
    fb.running_without_outcome_over_12m AS running_without_outcome_over_12m_before,
    100.0 * (fn.running_without_outcome_over_12m - fb.running_without_outcome_over_12m)
        / nullif(fb.running_without_outcome_over_12m, 0) AS running_without_outcome_over_12m_change_pct
FROM (SELECT 1) AS one
LEFT JOIN cost AS cn ON cn.month = $month
LEFT JOIN cost AS cb ON cb.month = $before
LEFT JOIN flows AS fn ON fn.month = $month
LEFT JOIN flows AS fb ON fb.month = $before
