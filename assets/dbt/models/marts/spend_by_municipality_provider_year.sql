-- Grain: one row per municipality, provider and calendar year (of service for spend, of ending
-- for outcomes). Who gets the money: spend, clients, share of the municipality's spend and rank
-- (1 = largest), the provider's operating margin from its public annual accounts (never
-- suppressed) and the outcomes of the trajectories that ended that year.
WITH spend AS (
    SELECT municipality_code, provider_agb, service_year AS year, sum(amount_eur) AS spend_eur
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
),
clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'),
                                 ['municipality_code', 'provider_agb', 'service_year AS year']) }}
),
municipality AS (
    SELECT municipality_code, year, sum(spend_eur) AS municipality_spend_eur FROM spend GROUP BY ALL
),
outcomes AS (
    SELECT municipality_code, provider_agb, year, {{ effectiveness_aggregates() }}
    FROM {{ ref('trajectory_outcomes') }}
    GROUP BY ALL
),
cells AS (
    SELECT
        k.municipality_code,
        k.provider_agb,
        k.year,
        s.spend_eur,
        coalesce(c.clients, 0) AS clients,
        m.municipality_spend_eur,
        o.n_ended AS trajectories_ended,
        o.n_planned AS ended_as_planned,
        o.n_dropout AS dropouts,
        f.revenue_eur,
        f.operating_result_eur,
        {{ is_small_cell('coalesce(c.clients, 0)') }} AS suppressed,
        {{ is_small_cell('coalesce(o.n_clients, 0)') }} AS outcomes_suppressed,
        CASE WHEN s.spend_eur IS NOT NULL
            THEN rank() OVER (PARTITION BY k.municipality_code, k.year, s.spend_eur IS NULL ORDER BY s.spend_eur DESC)
        END AS rank_in_municipality
    FROM (
        SELECT municipality_code, provider_agb, year FROM spend
        UNION SELECT municipality_code, provider_agb, year FROM outcomes
    ) AS k
    LEFT JOIN spend AS s USING (municipality_code, provider_agb, year)
    LEFT JOIN clients AS c USING (municipality_code, provider_agb, year)
    LEFT JOIN municipality AS m USING (municipality_code, year)
    LEFT JOIN outcomes AS o USING (municipality_code, provider_agb, year)
    LEFT JOIN {{ source('ref', 'provider_financials') }} AS f USING (provider_agb, year)
)
SELECT
    c.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    c.provider_agb,
    p.provider_name,
    c.year::INTEGER AS year,
    CASE WHEN NOT c.suppressed THEN c.spend_eur::DECIMAL(18, 2) END AS spend_eur,
    CASE WHEN NOT c.suppressed THEN c.clients END AS clients,
    CASE WHEN NOT c.suppressed THEN c.municipality_spend_eur::DECIMAL(18, 2) END AS municipality_spend_eur,
    CASE WHEN NOT c.suppressed AND c.municipality_spend_eur <> 0
        THEN round(100 * c.spend_eur / c.municipality_spend_eur, 1)::DOUBLE END AS share_of_municipality_spend_pct,
    CASE WHEN NOT c.suppressed THEN c.rank_in_municipality END AS rank_in_municipality,
    CASE WHEN c.revenue_eur > 0 THEN round(c.operating_result_eur / c.revenue_eur * 100, 1)::DOUBLE END
        AS margin_pct,
    CASE WHEN c.revenue_eur > 0 THEN c.operating_result_eur * 100 > c.revenue_eur * 3 END AS margin_above_3pct,
    CASE WHEN NOT (c.suppressed OR c.outcomes_suppressed) THEN c.trajectories_ended END AS trajectories_ended,
    CASE WHEN NOT (c.suppressed OR c.outcomes_suppressed) THEN c.ended_as_planned END AS ended_as_planned,
    CASE WHEN NOT (c.suppressed OR c.outcomes_suppressed) AND c.trajectories_ended > 0
        THEN round(100.0 * c.ended_as_planned / c.trajectories_ended, 1)::DOUBLE END AS ended_as_planned_pct,
    CASE WHEN NOT (c.suppressed OR c.outcomes_suppressed) THEN c.dropouts END AS dropouts,
    CASE WHEN NOT (c.suppressed OR c.outcomes_suppressed) AND c.trajectories_ended > 0
        THEN round(100.0 * c.dropouts / c.trajectories_ended, 1)::DOUBLE END AS dropout_pct,
    c.suppressed
FROM cells AS c
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
LEFT JOIN {{ source('ref', 'providers') }} AS p USING (provider_agb)
ORDER BY c.municipality_code, c.year, c.provider_agb
