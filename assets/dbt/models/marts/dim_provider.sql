-- Grain: one row per provider (AGB code) that is in the reference list, declared anything, sent
-- an outcome record, or is named by an allocation, a care start or a care stop: every provider
-- another table names (an allocation to a provider that never declared included).
WITH declared AS (
    SELECT provider_agb, min(service_month) AS first_month, max(service_month) AS last_month
    FROM {{ ref('declaration_lines') }} GROUP BY ALL
),
named AS (
    SELECT provider_agb FROM {{ ref('outcome_responses') }}
    UNION SELECT provider_agb FROM {{ ref('allocations') }}
    UNION SELECT provider_agb FROM {{ ref('care_starts') }}
    UNION SELECT provider_agb FROM {{ ref('care_stops') }}
),
providers AS (
    SELECT * FROM declared
    UNION ALL
    SELECT provider_agb, NULL, NULL FROM named
    WHERE provider_agb IS NOT NULL AND provider_agb NOT IN (SELECT provider_agb FROM declared)
)
SELECT
    coalesce(p.provider_agb, d.provider_agb) AS provider_agb,
    p.provider_name,
    d.first_month AS first_declared_month,
    d.last_month AS last_declared_month
FROM {{ source('ref', 'providers') }} AS p
FULL OUTER JOIN providers AS d USING (provider_agb)
ORDER BY provider_agb
