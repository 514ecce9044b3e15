-- Grain: one row per municipality and month of service, internal: the net spend of the lines
-- whose product period starts in the month and the clients with a positive net amount in it, for
-- cost_trends_by_municipality. Incremental by month: a month's row depends on that month's lines
-- only, so a night rebuilds just the months that the files registered since the last complete
-- publish touch (a new month, a late credit for an old one), named by JEUGDZORG_FILES_AFTER
-- (assets/transform.py). Without it (a full rebuild, new code, a retraction, no publish yet:
-- checks/scope.py) every month is rebuilt: the pre-hook empties the table first.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month',
          pre_hook="{% if is_incremental() and env_var('JEUGDZORG_FILES_AFTER', '') == '' %}DELETE FROM {{ this }}{% endif %}") }}
{%- set files_after = env_var('JEUGDZORG_FILES_AFTER', '') %}
WITH lines AS (
    SELECT municipality_code, service_month, client_pseudonym, amount_eur
    FROM {{ ref('declaration_lines') }}
    {%- if is_incremental() and files_after != '' %}
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
