-- Grain: one row. What the file holds: data through (the data cut-off, the latest declared
-- product_einddatum) and the latest outcome record, when it was refreshed, the small-cell
-- threshold k, the model version, and how many input files were loaded, rejected or retracted.
-- The suppression counts and what they cost are filled in by disclosure control on the file to be published
-- (assets/publish.py), after every mart is built.
WITH files AS (
    SELECT
        count(*) FILTER (WHERE status = 'loaded' AND kind <> 'reference') AS files_loaded,
        count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
        count(*) FILTER (WHERE status = 'retracted') AS files_retracted
    FROM {{ source('registry', 'files') }}
)
SELECT
    (SELECT max(period_end) FROM {{ ref('declaration_lines') }}) AS data_through,
    (SELECT max(filled_date) FROM {{ ref('outcome_responses') }}) AS outcome_records_through,
    current_timestamp::TIMESTAMP AS refreshed_at,
    {{ min_cell_size() }}::INTEGER AS min_cell_size,
    '{{ env_var("JEUGDZORG_VERSION", "unknown") }}' AS version,
    files.files_loaded,
    files.files_rejected,
    files.files_retracted,
    NULL::BIGINT AS rows_suppressed_small_cells,
    NULL::BIGINT AS cells_suppressed_secondary,
    NULL::BIGINT AS clients_hidden_secondary,
    NULL::DECIMAL(18, 2) AS spend_hidden_secondary_eur
FROM files
