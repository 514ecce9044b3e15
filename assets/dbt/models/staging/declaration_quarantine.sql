-- Grain: one declaration row that broke a rule. Why (rule id, message) and where (file, line);
-- the client only as a pseudonym.
{{ config(schema='quarantine', alias='declarations') }}
SELECT
    f.source_file,
    r.line_no AS source_line,
    r.rule_id,
    r.message,
    r.provider_agb,
    r.municipality_code,
    r.client_pseudonym,
    r.reference_number,
    r.allocation_number,
    r.product_category,
    r.period_start,
    r.amount_cents,
    r.debit_credit,
    r.ingested_at
FROM {{ source('raw', 'declaration_rows') }} AS r
JOIN {{ source('registry', 'files') }} AS f USING (file_id)
WHERE r.status = 'quarantined'
ORDER BY r.file_id, r.line_no
