-- Grain: one row per municipality and year. How many providers had a positive net spend there,
-- how concentrated the market is (Herfindahl-Hirschman index: sum of squared spend shares x
-- 10,000, over those providers) and the share of the five largest. Both also as bands (the
-- competition authority's for the HHI), which stay when publishing empties the figure because a
-- provider of that municipality-year is hidden (assets/publish.py, hide_nonlinear_figures).
WITH provider_spend AS (
    SELECT municipality_code, service_year AS year, provider_agb, sum(amount_eur) AS spend_eur
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
    HAVING sum(amount_eur) > 0
),
shares AS (
    SELECT *, spend_eur / sum(spend_eur) OVER (PARTITION BY municipality_code, year) AS share,
           row_number() OVER (PARTITION BY municipality_code, year ORDER BY spend_eur DESC, provider_agb) AS rank
    FROM provider_spend
),
clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'), ['municipality_code', 'service_year AS year']) }}
),
landscape AS (
    SELECT municipality_code, year, count(*) AS providers, sum(share * share) * 10000 AS hhi,
           sum(share) FILTER (WHERE rank <= 5) * 100 AS top5_share_pct
    FROM shares GROUP BY ALL
)
SELECT
    l.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    l.year::INTEGER AS year,
    CASE WHEN NOT suppressed THEN l.providers END AS providers,
    CASE WHEN NOT suppressed THEN round(l.hhi, 0)::INTEGER END AS hhi,
    CASE WHEN NOT suppressed THEN
        CASE WHEN l.hhi < 1500 THEN 'below 1500' WHEN l.hhi <= 2500 THEN '1500-2500' ELSE 'above 2500' END
    END AS hhi_band,
    CASE WHEN NOT suppressed THEN round(l.top5_share_pct, 1)::DOUBLE END AS top5_share_pct,
    CASE WHEN NOT suppressed THEN
        CASE WHEN l.top5_share_pct < 50 THEN 'below 50' WHEN l.top5_share_pct < 75 THEN '50-75'
             WHEN l.top5_share_pct < 90 THEN '75-90' ELSE '90-100' END
    END AS top5_share_band,
    suppressed
FROM (SELECT l.*, {{ is_small_cell('coalesce(c.clients, 0)') }} AS suppressed
      FROM landscape AS l LEFT JOIN clients AS c USING (municipality_code, year)) AS l
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY l.municipality_code, l.year
