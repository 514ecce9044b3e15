-- Grain: one row per municipality, year of start and referrer (verwijzer, COD327; 'onbekend' when
-- no outcome record names one): one cohort, the trajectories that started that year. Trajectories
-- started, their clients, their share of the municipality's starts and the same share in the
-- region, and their net spend to date. The outcomes of the trajectories that ended in a year are in
-- referral_channel_endings; referral_channels (deprecated) held both cohorts on one row.
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
    {{ referral_starts_columns() }},
    suppressed
FROM cells
ORDER BY municipality_code, year, referrer
