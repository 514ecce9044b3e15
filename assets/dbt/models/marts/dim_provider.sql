-- Grain: one row per provider (AGB code) that is in the reference list, declared anything, or
-- sent an outcome record: every provider another table names.
WITH declared AS (
    SELECT provider_agb, min(service_month) AS first_month, max(service_month) AS last_month
    FROM {{ ref('declaration_lines') }} GROUP BY ALL
    UNION ALL
    SELECT DISTINCT provider_agb, NULL, NULL FROM {{ ref('outcome_responses') }}
    WHERE provider_agb NOT IN (SELECT provider_agb FROM {{ ref('declaration_lines') }})
)
SELECT
    coalesce(p.provider_agb, d.provider_agb) AS provider_agb,
    p.provider_name,
    d.first_month AS first_declared_month,
    d.last_month AS last_declared_month
FROM {{ source('ref', 'providers') }} AS p
FULL OUTER JOIN declared AS d USING (provider_agb)
ORDER BY provider_agb
