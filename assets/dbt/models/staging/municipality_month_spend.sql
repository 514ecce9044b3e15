-- Grain: one row per municipality and month of service, internal: the net spend of the lines
-- whose product period starts in the month and the clients with a positive net amount in it, for
-- cost_trends_by_municipality. Incremental by month: a month's row depends on that month's lines
-- only, so a night rebuilds just the months that the files registered since the last complete
-- publish touch (a new month, a late credit for an old one), named by JEUGDZORG_FILES_AFTER
-- (assets/transform.py). When everything counts as new (a full rebuild, new code, a retraction,
-- no publish yet: foundation/fingerprint.py, "all") the build runs with --full-refresh and the
-- table is built again from nothing.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month') }}
{%- set files_after = env_var('JEUGDZORG_FILES_AFTER', '') %}
{%- if is_incremental() and files_after == '' %}
    {{ exceptions.raise_compiler_error("municipality_month_spend is kept by month and needs JEUGDZORG_FILES_AFTER "
                                       "(the pipeline sets it), or --full-refresh") }}
{%- endif %}
WITH lines AS (
    SELECT municipality_code, service_month, client_pseudonym, amount_eur
    FROM {{ ref('declaration_lines') }}
    {%- if is_incremental() and files_after != 'all' %}
    WHERE service_month IN (
        SELECT DISTINCT l.service_month
        FROM {{ ref('declaration_lines') }} AS l
        SEMI JOIN (SELECT source_file, sha256 AS source_sha256 FROM {{ source('registry', 'files') }}
                   WHERE file_id > {{ files_after | int }}) AS f USING (source_file, source_sha256)
    )
    {%- endif %}
),
per_client AS (
    SELECT municipality_code, service_month, client_pseudonym, sum(amount_eur) AS net_eur
    FROM lines
    GROUP BY ALL
)
SELECT
    municipality_code,
    service_month AS month,
    sum(net_eur) AS spend_eur,
    count(*) FILTER (WHERE net_eur > 0) AS clients
FROM per_client
GROUP BY ALL
