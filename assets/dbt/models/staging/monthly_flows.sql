-- Grain: one row per municipality and month, from the first declared month to the data cut-off
-- (the latest declared product_einddatum), before any small-cell rule: what trajectory_flows
-- publishes per municipality and region_benchmark sums per youth-care region at each year's end.
-- A trajectory is in a month from the month of its start to the month of its end when it has
-- ended (JW307, else the outcome record); one without an end is still running. It is running at
-- a month's end when it started by then and has not ended by then. running_days_sum (the days run
-- by the running trajectories at the month's end) is the numerator of the mean duration, so a
-- region's mean is a weighted one. A month in which no trajectory of a municipality was under
-- way has no row.
-- running_without_outcome_over_24m: running for at least 24 months (730 days) and no outcome record at
-- all, the two conditions on the same trajectory (Hoogeveen: long trajectories without result).
-- Each measure is a count over a span of months, so it is computed from where the span opens
-- and closes (+1 and -1) and a running sum over the months: the work grows with the
-- trajectories, not with trajectories x months, and no step holds more than a month's sums.
-- Clients are counted once a month however many trajectories they have: their trajectories'
-- spans are merged per client first.
WITH bounds AS (
    SELECT min(service_month) AS first_month, date_trunc('month', max(period_end))::DATE AS last_month
    FROM {{ ref('declaration_lines') }}
),
spells AS (
    -- the months a trajectory is under way (in_*), running at the month's end (run_*), and running
    -- for at least 12 and 24 months at the month's end (a day count: 365 and 730 days)
    SELECT
        municipality_code,
        allocation_number,
        client_pseudonym,
        surveyed,
        ended,
        date_trunc('month', start_date)::DATE AS in_from,
        CASE WHEN ended THEN date_trunc('month', end_date)::DATE END AS in_to,
        CASE WHEN ended THEN (date_trunc('month', end_date) - INTERVAL 1 MONTH)::DATE END AS run_to,
        date_trunc('month', start_date + INTERVAL 365 DAY)::DATE AS over_12m_from,
        date_trunc('month', start_date + INTERVAL 730 DAY)::DATE AS over_24m_from,
        date_diff('day', DATE '1970-01-01', start_date) AS start_day
    FROM {{ ref('trajectories') }}
    WHERE start_date IS NOT NULL AND (NOT ended OR end_date >= date_trunc('month', start_date))
),
client_spells AS (
    -- one client's overlapping or adjoining spans at a municipality merged into one
    SELECT municipality_code, min(in_from) AS in_from,
           CASE WHEN bool_and(in_to IS NOT NULL) THEN max(in_to) END AS in_to
    FROM (
        -- both windows order the spans the same way, to the allocation: with a tie left open the two
        -- sorts could disagree, and a span would join the wrong spell
        SELECT *, sum(opens) OVER (PARTITION BY municipality_code, client_pseudonym
                                   ORDER BY in_from, in_to NULLS LAST, allocation_number
                                   ROWS UNBOUNDED PRECEDING) AS spell
        FROM (
            SELECT
                municipality_code,
                allocation_number,
                client_pseudonym,
                in_from,
                in_to,
                CASE WHEN in_from <= max(coalesce(in_to, DATE '9999-12-01') + INTERVAL 1 MONTH) OVER (
                         PARTITION BY municipality_code, client_pseudonym
                         ORDER BY in_from, in_to NULLS LAST, allocation_number
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS opens
            FROM spells
            WHERE client_pseudonym IS NOT NULL
        )
    )
    GROUP BY municipality_code, client_pseudonym, spell
),
events AS (
    -- (month, change) per measure: +1 where a span opens, -1 the month after it closes
    SELECT municipality_code, in_from AS month, 1 AS under_way, 1 AS started, 0 AS ended, 1 AS running,
           0 AS over_12m, 0 AS over_24m, 0 AS without_outcome, 0 AS without_outcome_24, start_day, 0 AS clients
    FROM spells
    UNION ALL
    SELECT municipality_code, (in_from + INTERVAL 1 MONTH)::DATE, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0 FROM spells
    UNION ALL
    SELECT municipality_code, (in_to + INTERVAL 1 MONTH)::DATE, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM spells WHERE ended
    UNION ALL
    SELECT municipality_code, in_to, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 FROM spells WHERE ended
    UNION ALL
    SELECT municipality_code, (in_to + INTERVAL 1 MONTH)::DATE, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0 FROM spells WHERE ended
    UNION ALL
    -- running ends with the month before the end; a span that ends in its start month never runs
    SELECT municipality_code, greatest(in_from, (run_to + INTERVAL 1 MONTH)::DATE), 0, 0, 0, -1, 0, 0, 0, 0,
           -start_day, 0
    FROM spells WHERE ended
    UNION ALL
    SELECT municipality_code, over_12m_from, 0, 0, 0, 0, 1, 0, CASE WHEN surveyed THEN 0 ELSE 1 END, 0, 0, 0
    FROM spells WHERE NOT ended OR over_12m_from <= run_to
    UNION ALL
    SELECT municipality_code, (run_to + INTERVAL 1 MONTH)::DATE, 0, 0, 0, 0, -1, 0,
           CASE WHEN surveyed THEN 0 ELSE -1 END, 0, 0, 0
    FROM spells WHERE ended AND over_12m_from <= run_to
    UNION ALL
    -- over 24 months, and over 24 months without any outcome record: the same span from its 730th day
    SELECT municipality_code, over_24m_from, 0, 0, 0, 0, 0, 1, 0, CASE WHEN surveyed THEN 0 ELSE 1 END, 0, 0
    FROM spells WHERE NOT ended OR over_24m_from <= run_to
    UNION ALL
    SELECT municipality_code, (run_to + INTERVAL 1 MONTH)::DATE, 0, 0, 0, 0, 0, -1, 0,
           CASE WHEN surveyed THEN 0 ELSE -1 END, 0, 0
    FROM spells WHERE ended AND over_24m_from <= run_to
    UNION ALL
    SELECT municipality_code, in_from, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 FROM client_spells
    UNION ALL
    SELECT municipality_code, (in_to + INTERVAL 1 MONTH)::DATE, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1
    FROM client_spells WHERE in_to IS NOT NULL
),
changes AS (
    -- what opened before the first month counts from the first month on; what opens after the
    -- cut-off is never shown
    SELECT
        e.municipality_code,
        greatest(e.month, b.first_month) AS month,
        sum(under_way) AS under_way,
        sum(started) AS started,
        sum(ended) AS ended,
        sum(running) AS running,
        sum(over_12m) AS over_12m,
        sum(over_24m) AS over_24m,
        sum(without_outcome) AS without_outcome,
        sum(without_outcome_24) AS without_outcome_24,
        sum(start_day) AS start_day,
        sum(clients) AS clients
    FROM events AS e
    CROSS JOIN bounds AS b
    WHERE e.month <= b.last_month
    GROUP BY ALL
),
months AS (
    SELECT t.municipality_code, m.month::DATE AS month, last_day(m.month)::DATE AS month_end
    FROM (SELECT DISTINCT municipality_code FROM {{ ref('trajectories') }}) AS t
    CROSS JOIN bounds AS b
    CROSS JOIN generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS m(month)
),
levels AS (
    SELECT
        m.municipality_code,
        m.month,
        m.month_end,
        sum(coalesce(c.under_way, 0)) OVER w AS under_way,
        sum(coalesce(c.started, 0)) OVER w AS started,
        sum(coalesce(c.ended, 0)) OVER w AS ended,
        sum(coalesce(c.running, 0)) OVER w AS running,
        sum(coalesce(c.over_12m, 0)) OVER w AS running_over_12m,
        sum(coalesce(c.over_24m, 0)) OVER w AS running_over_24m,
        sum(coalesce(c.without_outcome, 0)) OVER w AS running_without_outcome_over_12m,
        sum(coalesce(c.without_outcome_24, 0)) OVER w AS running_without_outcome_over_24m,
        sum(coalesce(c.start_day, 0)) OVER w AS running_start_days,
        sum(coalesce(c.clients, 0)) OVER w AS clients
    FROM months AS m
    LEFT JOIN changes AS c USING (municipality_code, month)
    WINDOW w AS (PARTITION BY m.municipality_code ORDER BY m.month ROWS UNBOUNDED PRECEDING)
)
SELECT
    municipality_code,
    month,
    started::BIGINT AS started,
    ended::BIGINT AS ended,
    running::BIGINT AS running,
    running_over_12m::BIGINT AS running_over_12m,
    running_over_24m::BIGINT AS running_over_24m,
    running_without_outcome_over_12m::BIGINT AS running_without_outcome_over_12m,
    running_without_outcome_over_24m::BIGINT AS running_without_outcome_over_24m,
    (running * date_diff('day', DATE '1970-01-01', month_end) - running_start_days)::BIGINT AS running_days_sum,
    clients::BIGINT AS clients
FROM levels
WHERE under_way > 0
ORDER BY municipality_code, month
