-- Grain: one row per source file and rule id: how many of the file's rows that rule quarantined.
SELECT f.source_file, q.rule_id, count(*) AS rows
FROM (
    SELECT file_id, rule_id FROM {{ source('raw', 'declaration_rows') }} WHERE status = 'quarantined'
    UNION ALL
    SELECT file_id, rule_id FROM {{ source('raw', 'survey_rows') }} WHERE status = 'quarantined'
    {%- for table in ['allocation_rows', 'care_start_rows', 'care_stop_rows'] %}
    UNION ALL
    SELECT file_id, rule_id FROM {{ source('raw', table) }} WHERE status = 'quarantined'
    {%- endfor %}
) AS q
JOIN {{ source('registry', 'files') }} AS f USING (file_id)
GROUP BY ALL
ORDER BY f.source_file, q.rule_id
