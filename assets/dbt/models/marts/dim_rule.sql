-- Grain: one row per quarantine rule id (D01-D09 for declarations, S01-S09 for outcome
-- records), with what it means: data_quality_rules explains itself through this table.
SELECT rule_id, applies_to, title AS rule_description
FROM {{ source('ref', 'rules') }}
ORDER BY rule_id
