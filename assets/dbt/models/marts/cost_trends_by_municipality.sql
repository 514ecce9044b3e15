-- Grain: one row per municipality and month of service. Net spend (debit minus credit) of the
-- lines whose product period starts in the month, distinct clients with a positive net amount,
-- a rolling 12-month sum (only when all 12 months are present) and the change against a year before.
-- The monthly figures come from staging.municipality_month_spend, which a night keeps by month.
WITH monthly AS (
    SELECT municipality_code, month, spend_eur, clients FROM {{ ref('municipality_month_spend') }}
),
with_windows AS (
    SELECT
        m.*,
        sum(m.spend_eur) OVER last_12 AS spend_12_eur,
        count(*) OVER last_12 AS months_in_window,
        prev.spend_eur AS spend_year_before_eur
    FROM monthly AS m
    LEFT JOIN monthly AS prev
        ON prev.municipality_code = m.municipality_code AND prev.month = m.month - INTERVAL 1 YEAR
    WINDOW last_12 AS (
        PARTITION BY m.municipality_code ORDER BY m.month
        RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW
    )
)
SELECT
    w.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    w.month::DATE AS month,
    year(w.month)::INTEGER AS year,
    CASE WHEN NOT suppressed THEN w.spend_eur::DECIMAL(18, 2) END AS spend_eur,
    CASE WHEN NOT suppressed THEN w.clients END AS clients,
    CASE WHEN NOT suppressed AND w.clients > 0 THEN (w.spend_eur / w.clients)::DECIMAL(18, 2) END
        AS spend_per_client_eur,
    CASE WHEN NOT suppressed AND w.months_in_window = 12 THEN w.spend_12_eur::DECIMAL(18, 2) END
        AS spend_rolling_12m_eur,
    CASE WHEN NOT suppressed AND w.spend_year_before_eur <> 0
        THEN round((w.spend_eur - w.spend_year_before_eur) / abs(w.spend_year_before_eur) * 100, 1)::DOUBLE END
        AS spend_yoy_pct,
    suppressed
FROM (SELECT *, {{ is_small_cell('clients') }} AS suppressed FROM with_windows) AS w
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY w.municipality_code, w.month
