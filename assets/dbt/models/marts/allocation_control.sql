-- Grain: one row per municipality, provider and year: what providers declared against what the
-- municipality allocated (Almelo: a stricter control mechanism). Two halves, each with its own
-- year and its own small-cell rule:
--   allocations (year the allocation starts, latest JW301 version): how many, their money value
--   (the Budget, else the allocated units x the tariff declared on them), what was declared on
--   them over their whole life, the part beyond the money value, declared lines whose product
--   period lies outside the allocation's dates, and allocations never declared. An allocation
--   without a money value (no Budget and no tariff declared on it) cannot be judged over or under:
--   it is counted apart (allocations_without_value) and left out of the money value and the part
--   beyond it, never taken as 'not over';
--   declarations (year of service): lines whose allocation number no JW301 of the municipality
--   names, counted only for municipalities that send JW301 messages at all: how many, and their
--   net amount. A provider-year without such lines shows 0 (a cell of no child singles nobody out);
--   one whose lines concern fewer than k clients is empty.
-- Only the years the declarations cover (the first service month to the data cut-off, as in
-- monthly_flows): an allocation that started before them, for care already running when the
-- declarations begin, is no row of its own.
-- Only counts and sums: no allocation number is published.
WITH bounds AS (
    SELECT year(min(service_month))::INTEGER AS first_year, year(max(period_end))::INTEGER AS last_year
    FROM {{ ref('declaration_lines') }}
),
lines AS (
    SELECT l.*, a.allocation_number IS NOT NULL AS allocated
    FROM {{ ref('declaration_lines') }} AS l
    LEFT JOIN {{ ref('allocations') }} AS a USING (municipality_code, allocation_number)
),
allocated AS (
    SELECT
        municipality_code,
        provider_agb,
        year,
        count(*) AS allocations,
        count(DISTINCT client_pseudonym) AS clients,
        sum(allocated_eur) AS allocated_volume_eur,
        sum(declared_eur) AS declared_eur,
        sum(greatest(declared_eur - allocated_eur, 0)) FILTER (WHERE allocated_eur IS NOT NULL)
            AS declared_over_allocation_eur,
        count(*) FILTER (WHERE allocated_eur IS NULL) AS allocations_without_value,
        sum(lines_outside) AS lines_outside_allocation_period,
        count(*) FILTER (WHERE declared_lines = 0) AS allocations_without_declarations
    FROM {{ ref('allocation_use') }}
    GROUP BY ALL
),
unallocated AS (
    SELECT
        municipality_code,
        provider_agb,
        service_year AS year,
        count(*) AS declarations_without_allocation,
        sum(amount_eur) AS declared_without_allocation_eur,
        count(DISTINCT client_pseudonym) AS clients
    FROM lines
    WHERE NOT allocated AND municipality_code IN (SELECT municipality_code FROM {{ ref('allocations') }})
    GROUP BY ALL
),
combined AS (
    -- FULL JOIN ... USING merges the keys: a row has either half or both
    SELECT
        * EXCLUDE (clients),
        {{ is_small_cell('coalesce(a.clients, 0)') }} AS suppressed,
        coalesce(u.clients, 0) > 0 AND {{ is_small_cell('u.clients') }} AS unallocated_suppressed
    FROM allocated AS a
    FULL OUTER JOIN unallocated AS u USING (municipality_code, provider_agb, year)
    WHERE year BETWEEN (SELECT first_year FROM bounds) AND (SELECT last_year FROM bounds)
)
SELECT
    x.municipality_code,
    g.municipality_name,
    x.provider_agb,
    p.provider_name,
    x.year,
    {{ unless_suppressed('coalesce(x.allocations, 0)::BIGINT') }} AS allocations,
    {{ unless_suppressed('x.allocated_volume_eur::DECIMAL(18, 2)') }} AS allocated_volume_eur,
    {{ unless_suppressed('x.declared_eur::DECIMAL(18, 2)') }} AS declared_eur,
    {{ unless_suppressed('x.declared_over_allocation_eur::DECIMAL(18, 2)') }} AS declared_over_allocation_eur,
    {{ unless_suppressed('coalesce(x.lines_outside_allocation_period, 0)::BIGINT') }}
        AS lines_outside_allocation_period,
    {{ unless_suppressed('coalesce(x.allocations_without_declarations, 0)::BIGINT') }}
        AS allocations_without_declarations,
    {{ unless_suppressed('coalesce(x.allocations_without_value, 0)::BIGINT') }} AS allocations_without_value,
    {{ unless_suppressed('coalesce(x.declarations_without_allocation, 0)::BIGINT', 'x.unallocated_suppressed') }}
        AS declarations_without_allocation,
    {{ unless_suppressed('coalesce(x.declared_without_allocation_eur, 0)::DECIMAL(18, 2)',
                         'x.unallocated_suppressed') }} AS declared_without_allocation_eur,
    x.suppressed
FROM combined AS x
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
LEFT JOIN {{ source('ref', 'providers') }} AS p USING (provider_agb)
ORDER BY x.municipality_code, x.provider_agb, x.year
