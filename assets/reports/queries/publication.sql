-- The publication's one row: what the letters cite from it (k, the file counts, the publication).
-- A file published before the publication columns existed lacks them: COLUMNS takes those present.
SELECT
    COLUMNS(c -> c IN ('data_through', 'outcome_records_through', 'min_cell_size', 'files_loaded', 'files_rejected',
                       'files_retracted', 'publication_version', 'published_at', 'provisional_months',
                       'provisional_from')),
    false AS suppressed
FROM marts.about AS t
