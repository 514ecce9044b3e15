-- Grain: one row per source file seen. What became of it (loaded, rejected, already loaded,
-- retracted) and of its rows: read = loaded + quarantined + exact duplicates skipped + retracted.
SELECT source_file, sha256, kind, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate, message,
       ingested_at, rows_retracted, retracted_at
FROM {{ source('registry', 'files') }}
ORDER BY file_id
