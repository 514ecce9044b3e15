-- Grain: one row per municipality, year and referrer (verwijzer, COD327; 'onbekend' when no
-- outcome record names one). By year of start: trajectories started, their clients, their share
-- of the municipality's starts and the same share in the region, and their net spend to date.
-- By year of ending (same row keys): trajectories ended, ended as planned, dropouts and no
-- recurrence within 182 days. The two halves count different trajectories, so each has its own
-- small-cell rule: `suppressed` is the start half's, and the ending half is empty below k
-- clients of its own.
WITH {{ referral_starts_ctes() }},
ended AS (
    SELECT municipality_code, year, coalesce(referrer, 'onbekend') AS referrer, {{ effectiveness_aggregates() }}
    FROM {{ ref('trajectory_outcomes') }}
    GROUP BY ALL
),
cells AS (
    SELECT
        k.municipality_code,
        k.year,
        k.referrer,
        g.municipality_name,
        g.youth_care_region,
        coalesce(s.trajectories_started, 0) AS trajectories_started,
        coalesce(s.clients, 0) AS clients,
        s.spend_eur,
        sum(coalesce(s.trajectories_started, 0)) OVER (PARTITION BY k.municipality_code, k.year)
            AS municipality_starts,
        r.region_starts,
        r.region_all_starts,
        r.region_clients,
        e.n_ended AS trajectories_ended,
        e.n_planned AS ended_as_planned,
        e.n_dropout AS dropouts,
        e.n_recurrence_measurable AS recurrence_measurable,
        e.n_no_recurrence AS no_recurrence,
        {{ is_small_cell('coalesce(s.clients, 0)') }} AS suppressed,
        {{ is_small_cell('coalesce(e.n_clients, 0)') }} AS ended_suppressed
    FROM (
        SELECT municipality_code, year, referrer FROM started
        UNION SELECT municipality_code, year, referrer FROM ended
    ) AS k
    LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
    LEFT JOIN started AS s USING (municipality_code, year, referrer)
    LEFT JOIN region_started AS r
        ON r.youth_care_region = g.youth_care_region AND r.year = k.year AND r.referrer = k.referrer
    LEFT JOIN ended AS e USING (municipality_code, year, referrer)
)
SELECT
    {{ referral_starts_columns() }},
    CASE WHEN NOT ended_suppressed THEN trajectories_ended END AS trajectories_ended,
    CASE WHEN NOT ended_suppressed THEN ended_as_planned END AS ended_as_planned,
    CASE WHEN NOT ended_suppressed AND trajectories_ended > 0
        THEN round(100.0 * ended_as_planned / trajectories_ended, 1)::DOUBLE END AS ended_as_planned_pct,
    CASE WHEN NOT ended_suppressed THEN dropouts END AS dropouts,
    CASE WHEN NOT ended_suppressed AND trajectories_ended > 0
        THEN round(100.0 * dropouts / trajectories_ended, 1)::DOUBLE END AS dropout_pct,
    CASE WHEN NOT ended_suppressed THEN recurrence_measurable END AS recurrence_measurable,
    CASE WHEN NOT ended_suppressed THEN no_recurrence END AS no_recurrence,
    CASE WHEN NOT ended_suppressed AND recurrence_measurable > 0
        THEN round(100.0 * no_recurrence / recurrence_measurable, 1)::DOUBLE END AS no_recurrence_pct,
    suppressed
FROM cells
ORDER BY municipality_code, year, referrer
