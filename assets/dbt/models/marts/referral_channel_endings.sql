-- Grain: one row per municipality, year of ending and referrer (verwijzer, COD327; 'onbekend' when
-- no outcome record names one): one cohort, the trajectories that ended that year, with the
-- effectiveness marts' definitions (macros/effectiveness.sql over trajectory_outcomes): trajectories
-- ended, ended as planned, dropouts and no recurrence within 182 days. The starts of a year are in
-- referral_channel_starts; referral_channels (deprecated) held both cohorts on one row.
WITH measures AS (
    SELECT c.municipality_code, c.year, c.referrer, {{ effectiveness_measures() }}, c.suppressed
    FROM {{ effectiveness_cells('(SELECT * REPLACE (coalesce(referrer, \'onbekend\') AS referrer) FROM '
                                ~ ref('trajectory_outcomes') ~ ')', 'municipality_code, year, referrer') }}
)
SELECT
    m.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    m.year,
    m.referrer,
    m.trajectories_ended,
    m.ended_as_planned,
    m.ended_as_planned_pct,
    m.dropouts,
    m.dropout_pct,
    m.recurrence_measurable,
    m.no_recurrence,
    m.no_recurrence_pct,
    m.suppressed
FROM measures AS m
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY m.municipality_code, m.year, m.referrer
