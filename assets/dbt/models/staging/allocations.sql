-- Grain: one allocation the municipality issued (municipality_code, allocation_number), internal
-- only: its latest JW301 version, with the allocated volume turned into units over the whole
-- allocation period (Frequentie 1 per day, 2 per week, 4 per month, 6 in total; an open end
-- runs to the data cut-off, the latest declared product_einddatum).
WITH latest AS (
    {{ latest_message('allocation_rows', cancellable=false) }}
),
periods AS (
    SELECT a.*, date_diff('day', a.allocation_start, coalesce(a.allocation_end, c.cutoff_date)) + 1 AS allocation_days
    FROM latest AS a
    CROSS JOIN (SELECT max(period_end) AS cutoff_date FROM {{ ref('declaration_lines') }}) AS c
)
SELECT
    municipality_code,
    allocation_number,
    provider_agb,
    client_pseudonym,
    product_category,
    product_code,
    allocation_start,
    allocation_end,
    volume,
    unit,
    frequency,
    budget_cents,
    age_at_start,
    sex,
    allocation_days,
    CASE frequency
        WHEN '1' THEN volume * allocation_days
        WHEN '2' THEN volume * allocation_days / 7.0
        WHEN '4' THEN volume * allocation_days / (365.25 / 12)
        WHEN '6' THEN volume
    END AS allocated_units
FROM periods
