-- Grain: one accepted outcome record (one trajectory and informant, the latest invuldatum).
-- The end reason is mapped to the CBS categories (ref.end_reason_cbs); the client only as a pseudonym.
SELECT
    f.source_file,
    f.sha256 AS source_sha256,
    r.line_no AS source_line,
    r.ingested_at,
    r.response_id,
    r.provider_agb,
    r.municipality_code,
    r.client_pseudonym,
    r.allocation_number,
    r.product_category,
    r.referrer,
    r.start_date,
    r.end_date,
    r.end_reason,
    m.cbs_code AS cbs_end_reason,
    coalesce(m.counts_as_ended, false) AND r.end_date IS NOT NULL AS counts_as_ended,
    r.informant,
    r.filled_date,
    r.satisfaction,
    r.self_reliance,
    r.instrument,
    r.score_begin,
    r.score_end
FROM {{ source('raw', 'survey_rows') }} AS r
JOIN {{ source('registry', 'files') }} AS f USING (file_id)
LEFT JOIN {{ source('ref', 'end_reason_cbs') }} AS m ON m.end_reason = r.end_reason
WHERE r.status = 'loaded'
ORDER BY r.file_id, r.line_no
