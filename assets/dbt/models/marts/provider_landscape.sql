-- Grain: one row per municipality and year. How many providers had a positive net spend there,
-- how concentrated the market is (Herfindahl-Hirschman index: sum of squared spend shares x
-- 10,000, over those providers) and the share of the five largest.
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
    CASE WHEN NOT suppressed THEN round(l.top5_share_pct, 1)::DOUBLE END AS top5_share_pct,
    suppressed
FROM (SELECT l.*, {{ is_small_cell('coalesce(c.clients, 0)') }} AS suppressed
      FROM landscape AS l LEFT JOIN clients AS c USING (municipality_code, year)) AS l
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY l.municipality_code, l.year
