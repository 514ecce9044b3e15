-- Allocations against declarations, over the providers that can be shown: how many providers there
-- are and are shown, each column's total (or nothing when a shown provider has it empty), and on how
-- many shown providers it is empty.
WITH area AS (
    SELECT t.*
    FROM marts.allocation_control AS t
    WHERE t.municipality_code = $code AND t.year = $year
),
shown AS (
    SELECT * FROM area WHERE NOT suppressed
)
SELECT
    (SELECT count(*) FROM area) AS rows_all,
    count(*) AS rows_shown,
    CASE WHEN count(*) = count(allocations) THEN sum(allocations) END AS total_allocations,
    CASE WHEN count(*) = count(allocated_volume_eur) THEN sum(allocated_volume_eur) END AS total_allocated_volume_eur,
    CASE WHEN count(*) = count(declared_eur) THEN sum(declared_eur) END AS total_declared_eur,
    CASE WHEN count(*) = count(declared_over_allocation_eur) THEN sum(declared_over_allocation_eur) END
        AS total_declared_over_allocation_eur,
    CASE WHEN count(*) = count(lines_outside_allocation_period) THEN sum(lines_outside_allocation_period) END
        AS total_lines_outside_allocation_period,
    CASE WHEN count(*) = count(allocations_without_declarations) THEN sum(allocations_without_declarations) END
        AS total_allocations_without_declarations,
    CASE WHEN count(*) = count(declarations_without_allocation) THEN sum(declarations_without_allocation) END
        AS total_declarations_without_allocation,
    count(*) - count(allocations) AS empty_allocations,
    count(*) - count(allocated_volume_eur) AS empty_allocated_volume_eur,
    count(*) - count(declared_eur) AS empty_declared_eur,
    count(*) - count(declared_over_allocation_eur) AS empty_declared_over_allocation_eur,
    count(*) - count(lines_outside_allocation_period) AS empty_lines_outside_allocation_period,
    count(*) - count(allocations_without_declarations) AS empty_allocations_without_declarations,
    count(*) - count(declarations_without_allocation) AS empty_declarations_without_allocation
FROM shown
