-- Grain: one row per kind of input file, status and month of ingestion: how many files, and what
-- became of their rows (read = loaded + quarantined + duplicate + retracted). The published face of
-- data_quality, which names every file (provider, municipality, month) and stays in the working
-- file and the Dagster UI: one file's line count would reveal a suppressed provider-month's volume.
SELECT kind, status, date_trunc('month', ingested_at)::DATE AS ingested_month, count(*)::BIGINT AS files,
       sum(rows_read)::BIGINT AS rows_read, sum(rows_loaded)::BIGINT AS rows_loaded,
       sum(rows_quarantined)::BIGINT AS rows_quarantined, sum(rows_duplicate)::BIGINT AS rows_duplicate,
       sum(rows_retracted)::BIGINT AS rows_retracted
FROM {{ ref('data_quality') }}
GROUP BY ALL
ORDER BY ALL
