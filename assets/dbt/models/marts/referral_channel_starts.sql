-- Grain: one row per municipality, year of start and referrer (verwijzer, COD327; 'onbekend' when
-- no outcome record names one): one cohort, the trajectories that started that year. Trajectories
-- started, their clients, their share of the municipality's starts and the same share in the
-- region, and their net spend to date. The outcomes of the trajectories that ended in a year are in
-- referral_channel_endings; referral_channels (deprecated) held both cohorts on one row.
{%- set k = min_cell_size() %}
WITH {{ referral_starts_ctes() }},
cells AS (
    SELECT
        s.*,
        g.municipality_name,
        g.youth_care_region,
        sum(s.trajectories_started) OVER (PARTITION BY s.municipality_code, s.year) AS municipality_starts,
        r.region_starts,
        r.region_all_starts,
        r.region_clients,
        {{ is_small_cell('s.clients') }} AS suppressed
    FROM started AS s
    LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
    LEFT JOIN region_started AS r
        ON r.youth_care_region = g.youth_care_region AND r.year = s.year AND r.referrer = s.referrer
)
SELECT
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
    CASE WHEN region_clients >= {{ k }} THEN region_starts END AS region_starts,
    CASE WHEN region_clients >= {{ k }} THEN region_all_starts::BIGINT END AS region_all_starts,
    CASE WHEN region_clients >= {{ k }} AND region_all_starts > 0
        THEN round(100.0 * region_starts / region_all_starts, 1)::DOUBLE END AS region_share_of_starts_pct,
    CASE WHEN NOT suppressed THEN spend_eur::DECIMAL(18, 2) END AS spend_eur,
    suppressed
FROM cells
ORDER BY municipality_code, year, referrer
