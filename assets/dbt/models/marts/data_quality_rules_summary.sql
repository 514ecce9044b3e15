-- Grain: one row per kind of input file and quarantine rule: how many rows that rule quarantined,
-- in how many files. The published face of data_quality_rules, which names every file and stays in
-- the working file and the Dagster UI. The kind is the one the rule applies to (dim_rule).
SELECT r.applies_to AS kind, q.rule_id, count(*)::BIGINT AS files, sum(q.rows)::BIGINT AS rows_quarantined
FROM {{ ref('data_quality_rules') }} AS q
LEFT JOIN {{ ref('dim_rule') }} AS r USING (rule_id)
GROUP BY ALL
ORDER BY ALL
