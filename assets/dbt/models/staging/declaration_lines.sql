-- Grain: one accepted declaration line (Prestatie). The single source of money for every mart:
-- signed euro amounts (credit negative), the client only as a pseudonym, lineage to file and line.
-- A view over the raw layer, as staging models usually are: each line is stored once, in
-- raw.declaration_rows, and renaming, signing and dating it here costs nothing at load time.
{{ config(materialized='view') }}
SELECT
    f.source_file,
    f.sha256 AS source_sha256,
    r.line_no AS source_line,
    r.ingested_at,
    r.declaration_number,
    r.provider_agb,
    r.municipality_code,
    r.client_pseudonym,
    r.reference_number,
    r.previous_reference_number,
    r.allocation_number,
    r.product_category,
    r.product_code,
    r.period_start,
    r.period_end,
    date_trunc('month', r.period_start)::DATE AS service_month,
    year(r.period_start)::INTEGER AS service_year,
    r.delivered_volume,
    r.unit,
    r.tariff_cents,
    r.debit_credit,
    ((CASE WHEN r.debit_credit = 'C' THEN -r.amount_cents ELSE r.amount_cents END)::DECIMAL(18, 2) / 100)
        ::DECIMAL(18, 2) AS amount_eur
FROM {{ source('raw', 'declaration_rows') }} AS r
JOIN {{ source('registry', 'files') }} AS f USING (file_id)
WHERE r.status = 'loaded'
