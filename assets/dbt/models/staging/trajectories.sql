-- Grain: one trajectory = one allocation (municipality_code, allocation_number), internal only.
-- Start = the survey startdatum, else the first day of its earliest declared product period.
-- End, end reason and referrer come from its latest accepted outcome record (latest invuldatum).
-- Spend = net sum of all its declaration lines. Trajectories without surveys still count for
-- spend; without an end they are ongoing.
WITH declared AS (
    SELECT
        municipality_code,
        allocation_number,
        arg_max(client_pseudonym, period_start) AS client_pseudonym,
        arg_max(provider_agb, amount_eur) AS provider_agb,
        arg_max(product_category, amount_eur) AS product_category,
        min(period_start) AS first_period_start,
        sum(amount_eur) AS spend_eur
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
),
latest_response AS (
    SELECT *
    FROM {{ ref('outcome_responses') }}
    QUALIFY row_number() OVER (PARTITION BY municipality_code, allocation_number
                               ORDER BY filled_date DESC, source_file DESC, source_line DESC) = 1
)
SELECT
    coalesce(d.municipality_code, r.municipality_code) AS municipality_code,
    coalesce(d.allocation_number, r.allocation_number) AS allocation_number,
    coalesce(d.client_pseudonym, r.client_pseudonym) AS client_pseudonym,
    coalesce(d.provider_agb, r.provider_agb) AS provider_agb,
    coalesce(d.product_category, r.product_category) AS product_category,
    coalesce(r.start_date, d.first_period_start) AS start_date,
    r.end_date,
    r.end_reason,
    r.cbs_end_reason,
    coalesce(r.counts_as_ended, false) AS ended,
    r.referrer,
    date_diff('day', coalesce(r.start_date, d.first_period_start), r.end_date) AS duration_days,
    coalesce(d.spend_eur, 0)::DECIMAL(18, 2) AS spend_eur,
    d.municipality_code IS NOT NULL AS declared,
    r.municipality_code IS NOT NULL AS surveyed
FROM declared AS d
FULL OUTER JOIN latest_response AS r USING (municipality_code, allocation_number)
