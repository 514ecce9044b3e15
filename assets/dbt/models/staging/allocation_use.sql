-- Grain: one allocation (municipality_code, allocation_number), internal only: what was declared
-- against it over its whole life. allocated_eur is its money value: the Budget, else the
-- allocated units x the highest tariff declared on it (unknown when neither exists);
-- lines_outside counts declared lines whose product period lies (partly) outside its dates.
-- allocation_control sums these per provider and year, and the WARN check
-- allocations_are_respected lists the allocations themselves.
SELECT
    a.municipality_code,
    a.allocation_number,
    a.provider_agb,
    year(a.allocation_start)::INTEGER AS year,
    a.client_pseudonym,
    coalesce(sum(l.amount_eur), 0) AS declared_eur,
    count(l.allocation_number) AS declared_lines,
    count(*) FILTER (WHERE l.period_start < a.allocation_start OR l.period_end > a.allocation_end) AS lines_outside,
    coalesce(a.budget_cents / 100.0, a.allocated_units * max(l.tariff_cents) / 100.0) AS allocated_eur
FROM {{ ref('allocations') }} AS a
LEFT JOIN {{ ref('declaration_lines') }} AS l USING (municipality_code, allocation_number)
GROUP BY a.municipality_code, a.allocation_number, a.provider_agb, a.allocation_start, a.client_pseudonym,
         a.budget_cents, a.allocated_units
