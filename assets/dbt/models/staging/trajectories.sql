-- Grain: one trajectory = one allocation (municipality_code, allocation_number), internal only.
-- Start = the JW305 Begindatum, else the survey startdatum, else the first day of the earliest
-- declared product period. End and end reason = the JW307 where there is one, else the latest
-- accepted outcome record (latest invuldatum); a JW307 stop ends the trajectory whether or not
-- an outcome record exists. The referrer comes from the outcome record. Age at start and sex
-- come from the provider's JW305, else its JW307, else the municipality's JW301. Spend = net sum
-- of all its declaration lines. Without an end a trajectory is still running. Its provider and
-- product category from its declarations are those with the largest net amount (a debit credited
-- in full counts for nothing), its client the one of its latest period; ties go to the lowest code,
-- so the same lines always give the same trajectory, whatever order they were loaded in.
WITH net_by AS (
    SELECT municipality_code, allocation_number, provider_agb, product_category, sum(amount_eur) AS net_eur
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
),
main_parts AS (
    SELECT
        municipality_code,
        allocation_number,
        first(provider_agb ORDER BY provider_net DESC, provider_agb) AS provider_agb,
        first(product_category ORDER BY category_net DESC, product_category) AS product_category
    FROM (
        SELECT *, sum(net_eur) OVER (PARTITION BY municipality_code, allocation_number, provider_agb) AS provider_net,
               sum(net_eur) OVER (PARTITION BY municipality_code, allocation_number, product_category) AS category_net
        FROM net_by
    )
    GROUP BY ALL
),
declared AS (
    SELECT
        d.municipality_code,
        d.allocation_number,
        first(d.client_pseudonym ORDER BY d.period_start DESC, d.client_pseudonym) AS client_pseudonym,
        any_value(m.provider_agb) AS provider_agb,
        any_value(m.product_category) AS product_category,
        min(d.period_start) AS first_period_start,
        sum(d.amount_eur) AS spend_eur
    FROM {{ ref('declaration_lines') }} AS d
    JOIN main_parts AS m USING (municipality_code, allocation_number)
    GROUP BY ALL
),
latest_response AS (
    SELECT *
    FROM {{ ref('outcome_responses') }}
    QUALIFY row_number() OVER (PARTITION BY municipality_code, allocation_number
                               ORDER BY filled_date DESC, source_file DESC, source_line DESC) = 1
),
keys AS (
    SELECT municipality_code, allocation_number FROM declared
    UNION SELECT municipality_code, allocation_number FROM latest_response
    UNION SELECT municipality_code, allocation_number FROM {{ ref('care_starts') }}
    UNION SELECT municipality_code, allocation_number FROM {{ ref('care_stops') }}
),
joined AS (
    SELECT
        k.municipality_code,
        k.allocation_number,
        coalesce(d.client_pseudonym, st.client_pseudonym, sp.client_pseudonym, r.client_pseudonym)
            AS client_pseudonym,
        coalesce(d.provider_agb, st.provider_agb, sp.provider_agb, r.provider_agb) AS provider_agb,
        coalesce(d.product_category, st.product_category, sp.product_category, r.product_category)
            AS product_category,
        coalesce(st.start_date, r.start_date, d.first_period_start) AS start_date,
        CASE WHEN sp.allocation_number IS NOT NULL THEN sp.end_date ELSE r.end_date END AS end_date,
        CASE WHEN sp.allocation_number IS NOT NULL THEN sp.end_reason ELSE r.end_reason END AS end_reason,
        CASE WHEN sp.allocation_number IS NOT NULL THEN sp.cbs_end_reason ELSE r.cbs_end_reason END
            AS cbs_end_reason,
        coalesce(sp.counts_as_ended, r.counts_as_ended, false) AS ended,
        r.referrer,
        coalesce(st.age_at_start, sp.age_at_start, a.age_at_start) AS age_at_start,
        coalesce(st.sex, sp.sex, a.sex) AS sex,
        coalesce(d.spend_eur, 0)::DECIMAL(18, 2) AS spend_eur,
        d.municipality_code IS NOT NULL AS declared,
        r.municipality_code IS NOT NULL AS surveyed,
        st.municipality_code IS NOT NULL AS start_message,
        sp.municipality_code IS NOT NULL AS stop_message
    FROM keys AS k
    LEFT JOIN declared AS d USING (municipality_code, allocation_number)
    LEFT JOIN latest_response AS r USING (municipality_code, allocation_number)
    LEFT JOIN {{ ref('care_starts') }} AS st USING (municipality_code, allocation_number)
    LEFT JOIN {{ ref('care_stops') }} AS sp USING (municipality_code, allocation_number)
    LEFT JOIN {{ ref('allocations') }} AS a USING (municipality_code, allocation_number)
)
SELECT
    municipality_code,
    allocation_number,
    client_pseudonym,
    provider_agb,
    product_category,
    start_date,
    end_date,
    end_reason,
    cbs_end_reason,
    ended,
    referrer,
    date_diff('day', start_date, end_date) AS duration_days,
    spend_eur,
    declared,
    surveyed,
    age_at_start,
    -- youth care runs to 23 at most (Jeugdwet, verlengde jeugdhulp): an age below 0 or above 23 is a
    -- birth date typed wrong (2027 for 2007, 1908 for 2008), not a real age: 'onbekend', like a missing one
    CASE WHEN age_at_start < 0 OR age_at_start > 23 THEN 'onbekend'
         WHEN age_at_start <= 3 THEN '0-3' WHEN age_at_start <= 11 THEN '4-11'
         WHEN age_at_start <= 17 THEN '12-17' WHEN age_at_start IS NOT NULL THEN '18+' ELSE 'onbekend' END
        AS age_band,
    sex,
    start_message,
    stop_message
FROM joined
