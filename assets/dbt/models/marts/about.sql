-- Grain: one row. What the file holds: data through (the data cut-off, the latest declared
-- product_einddatum) and the latest outcome record, when it was refreshed, the small-cell
-- threshold k, the model version, and how many input files were loaded, rejected or retracted.
-- The suppression counts and what they cost, and the publication's number and time, are filled in
-- on the file to be published (assets/publish.py), after every mart is built.
--
-- The provisional window (docs/publications.md, "Voorlopig"): how many months after a service month
-- its figures still move, measured from the data's own late declarations and credits. A file
-- arrives, in the data's own time, in the newest service month its provider had declared to that
-- municipality up to and including it (registry order): a monthly file arrives in its own month.
-- A line is late by the months between its file's arrival and the arrival of the first file of
-- its provider and municipality that reached its service month: a credit for February sent with
-- April's file is two months late, while a first file holding years of history is late in nothing.
-- For each lag L (0 to 24), the lines more than L months late move the municipality-months that
-- have been seen for at least L months; the window is the smallest L at which that movement (the
-- sum, over municipality-months, of the size of their net late amount) is at most 1 % of their net
-- amounts (the same sum of sizes): 99 % settled. 24 when no lag up to 24 settles so far.
WITH files AS (
    SELECT
        count(*) FILTER (WHERE status = 'loaded' AND kind <> 'reference') AS files_loaded,
        count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
        count(*) FILTER (WHERE status = 'retracted') AS files_retracted
    FROM {{ source('registry', 'files') }}
),
lines AS (  -- the lines' net amount per file (its place in the registry's order), provider, municipality and month
    SELECT f.file_id, l.provider_agb, l.municipality_code, l.service_month, sum(l.amount_eur) AS amount_eur
    FROM {{ ref('declaration_lines') }} AS l
    JOIN (SELECT source_file, sha256, min(file_id) AS file_id FROM {{ source('registry', 'files') }} GROUP BY ALL) AS f
      ON f.source_file = l.source_file AND f.sha256 = l.source_sha256
    GROUP BY ALL
),
per_file AS (
    SELECT provider_agb, municipality_code, file_id, max(service_month) AS newest_month
    FROM lines
    GROUP BY ALL
),
arrival AS (
    SELECT provider_agb, municipality_code, file_id,
           max(newest_month) OVER (PARTITION BY provider_agb, municipality_code ORDER BY file_id
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS arrival_month
    FROM per_file
),
aged AS (
    SELECT l.municipality_code, l.service_month,
           datediff('month', (SELECT min(r.arrival_month) FROM arrival AS r
                              WHERE r.provider_agb = l.provider_agb AND r.municipality_code = l.municipality_code
                                AND r.arrival_month >= l.service_month), a.arrival_month) AS lag,
           sum(l.amount_eur) AS amount_eur
    FROM lines AS l
    JOIN arrival AS a USING (provider_agb, municipality_code, file_id)
    GROUP BY ALL
),
cut_off AS (
    SELECT max(service_month) AS last_month FROM aged
),
moved AS (
    SELECT w.window_months,
           sum(abs(c.late_eur)) AS late_eur,
           sum(abs(c.net_eur)) AS net_eur
    FROM range(0, 25) AS w(window_months)
    CROSS JOIN cut_off
    JOIN LATERAL (
        SELECT municipality_code, service_month, sum(amount_eur) AS net_eur,
               coalesce(sum(amount_eur) FILTER (WHERE lag > w.window_months), 0) AS late_eur
        FROM aged
        WHERE service_month <= cut_off.last_month - to_months(w.window_months::INTEGER)
        GROUP BY ALL
    ) AS c ON true
    GROUP BY ALL
),
provisional AS (
    SELECT coalesce(min(window_months) FILTER (WHERE late_eur <= 0.01 * net_eur), 24)::INTEGER AS months
    FROM moved
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
    NULL::DECIMAL(18, 2) AS spend_hidden_secondary_eur,
    NULL::BIGINT AS publication_version,
    NULL::TIMESTAMP AS published_at,
    CASE WHEN cut_off.last_month IS NOT NULL THEN provisional.months END AS provisional_months,
    CASE WHEN provisional.months > 0
         THEN (cut_off.last_month - to_months(provisional.months - 1))::DATE END AS provisional_from
FROM files, cut_off, provisional
