-- key: kind, status, ingested_month
-- What the latest ingestion read and quarantined, per kind of file and status.
SELECT
    t.kind, t.status, t.ingested_month,
    t.files, t.rows_read, t.rows_quarantined,
    false AS suppressed
FROM marts.data_quality_summary AS t
WHERE t.ingested_month = (SELECT max(q.ingested_month) FROM marts.data_quality_summary AS q)
ORDER BY t.kind, t.status, t.ingested_month
