-- What `make run` prints about the files: per kind and status, over all runs so far (pipelines/refresh.py)
SELECT kind, status, sum(files), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), sum(rows_duplicate)
FROM marts.data_quality_summary
GROUP BY ALL
ORDER BY ALL
