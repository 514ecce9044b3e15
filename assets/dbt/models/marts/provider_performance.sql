-- Grain: one row per provider and year. Declared spend, clients with a positive net amount and
-- municipalities served that year; the effectiveness columns for trajectories that ended that
-- year (NULL when fewer than k clients ended); and the operating margin from the annual
-- accounts (provider_financials), flagged when strictly above 3 % (the Hoogeveen motion).
-- Missing accounts give NULL, never a guess.
WITH declared AS (
    SELECT provider_agb, service_year AS year, sum(amount_eur) AS declared_eur,
           count(DISTINCT municipality_code) AS municipalities
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
),
clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'), ['provider_agb', 'service_year AS year']) }}
),
outcomes AS (
    SELECT provider_agb, year, {{ effectiveness_aggregates() }}
    FROM {{ ref('trajectory_outcomes') }}
    GROUP BY ALL
),
combined AS (
    SELECT
        k.provider_agb,
        k.year,
        d.declared_eur,
        coalesce(cl.clients, 0) AS clients,
        d.municipalities,
        o.* EXCLUDE (provider_agb, year),
        f.revenue_eur,
        f.operating_result_eur,
        {{ is_small_cell('coalesce(cl.clients, 0)') }} AS row_suppressed
    FROM (SELECT provider_agb, year FROM declared UNION SELECT provider_agb, year FROM outcomes) AS k
    LEFT JOIN declared AS d USING (provider_agb, year)
    LEFT JOIN clients AS cl USING (provider_agb, year)
    LEFT JOIN outcomes AS o USING (provider_agb, year)
    LEFT JOIN {{ source('ref', 'provider_financials') }} AS f USING (provider_agb, year)
)
SELECT
    c.provider_agb,
    p.provider_name,
    c.year::INTEGER AS year,
    CASE WHEN NOT c.row_suppressed THEN c.declared_eur::DECIMAL(18, 2) END AS spend_eur,
    CASE WHEN NOT c.row_suppressed THEN c.clients END AS clients,
    CASE WHEN NOT c.row_suppressed THEN c.municipalities END AS municipalities,
    {{ effectiveness_measures(with_spend=false) }},
    -- annual accounts are public: the margin is shown on a suppressed row too (disclosure control)
    CASE WHEN c.revenue_eur > 0 THEN round(c.operating_result_eur / c.revenue_eur * 100, 1)::DOUBLE END AS margin_pct,
    CASE WHEN c.revenue_eur > 0 THEN c.operating_result_eur * 100 > c.revenue_eur * 3 END AS margin_above_3pct,
    c.row_suppressed AS suppressed
FROM (SELECT *, row_suppressed OR {{ is_small_cell('coalesce(n_clients, 0)') }} AS suppressed FROM combined) AS c
LEFT JOIN {{ source('ref', 'providers') }} AS p USING (provider_agb)
ORDER BY c.provider_agb, c.year
