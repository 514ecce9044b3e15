-- Grain: one row per source file and rule id: how many of the file's rows that rule quarantined.
CREATE OR REPLACE TABLE marts.data_quality_rules AS
SELECT f.source_file, q.rule_id, count(*) AS rows
FROM (
    SELECT file_id, rule_id FROM raw.declaration_rows WHERE status = 'quarantined'
    UNION ALL
    SELECT file_id, rule_id FROM raw.survey_rows WHERE status = 'quarantined'
) AS q
JOIN registry.files AS f USING (file_id)
GROUP BY ALL
ORDER BY f.source_file, q.rule_id
