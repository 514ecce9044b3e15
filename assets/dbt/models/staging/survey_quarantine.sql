-- Grain: one outcome record that broke a rule (S01-S09): why, and where (file, row).
{{ config(schema='quarantine', alias='surveys') }}
SELECT
    f.source_file,
    r.line_no AS source_line,
    r.rule_id,
    r.message,
    r.response_id,
    r.provider_agb,
    r.municipality_code,
    r.client_pseudonym,
    r.allocation_number,
    r.informant,
    r.filled_date,
    r.ingested_at
FROM {{ source('raw', 'survey_rows') }} AS r
JOIN {{ source('registry', 'files') }} AS f USING (file_id)
WHERE r.status = 'quarantined'
ORDER BY r.file_id, r.line_no
