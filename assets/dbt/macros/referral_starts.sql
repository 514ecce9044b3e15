{#- The starts by referrer, written once for referral_channel_starts and the deprecated
    referral_channels: the trajectories started in the years the declarations cover, counted per
    municipality, year of start and referrer (`started`) and per region (`region_started`). The
    CTEs go after WITH; the model goes on with a comma. -#}
{% macro referral_starts_ctes() -%}
trajectories AS (
    SELECT t.*, coalesce(t.referrer, 'onbekend') AS channel, year(t.start_date)::INTEGER AS start_year,
           g.youth_care_region
    FROM {{ ref('trajectories') }} AS t
    LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
    -- only the years the declarations cover (as allocation_control): a trajectory that started and
    -- ended before the first declared month is in no file, so an earlier start year would count only
    -- the long ones that were still running then, and its shares would favour channels of long care
    WHERE year(t.start_date) >= (SELECT year(min(service_month)) FROM {{ ref('declaration_lines') }})
),
per_client AS (
    -- a client counts where their net spend on the row's trajectories is positive (the contract's
    -- clients: a trajectory credited in full is no care received); the starts count every trajectory
    SELECT municipality_code, youth_care_region, start_year, channel, client_pseudonym, count(*) AS n,
           sum(spend_eur) AS net_eur
    FROM trajectories
    GROUP BY ALL
),
started AS (
    SELECT municipality_code, start_year AS year, channel AS referrer, sum(n)::BIGINT AS trajectories_started,
           count(*) FILTER (WHERE net_eur > 0) AS clients, sum(net_eur) AS spend_eur
    FROM per_client
    GROUP BY ALL
),
region_started AS (
    SELECT youth_care_region, year, referrer, region_starts, region_clients,
           sum(region_starts) OVER (PARTITION BY youth_care_region, year) AS region_all_starts
    FROM (
        SELECT youth_care_region, start_year AS year, channel AS referrer, sum(n)::BIGINT AS region_starts,
               count(*) FILTER (WHERE net_eur > 0) AS region_clients
        FROM (SELECT youth_care_region, start_year, channel, client_pseudonym, sum(n) AS n, sum(net_eur) AS net_eur
              FROM per_client GROUP BY ALL)
        GROUP BY ALL
    )
)
{%- endmacro %}

{#- The published columns of the starts (over `cells`, with `suppressed` the starts' small-cell
    flag): keys, the start counts and shares, and the region's, shown where the region has k clients. -#}
{% macro referral_starts_columns() -%}
municipality_code,
    municipality_name,
    youth_care_region,
    year::INTEGER AS year,
    referrer,
    CASE WHEN NOT suppressed THEN trajectories_started END AS trajectories_started,
    CASE WHEN NOT suppressed THEN clients END AS clients,
    CASE WHEN NOT suppressed THEN municipality_starts::BIGINT END AS municipality_starts,
    CASE WHEN NOT suppressed AND municipality_starts > 0
        THEN round(100.0 * trajectories_started / municipality_starts, 1)::DOUBLE END AS share_of_starts_pct,
    CASE WHEN region_clients >= {{ min_cell_size() }} THEN region_starts END AS region_starts,
    CASE WHEN region_clients >= {{ min_cell_size() }} THEN region_all_starts::BIGINT END AS region_all_starts,
    CASE WHEN region_clients >= {{ min_cell_size() }} AND region_all_starts > 0
        THEN round(100.0 * region_starts / region_all_starts, 1)::DOUBLE END AS region_share_of_starts_pct,
    CASE WHEN NOT suppressed THEN spend_eur::DECIMAL(18, 2) END AS spend_eur
{%- endmacro %}
