-- Grain: one row per municipality in the reference list (CBS classification), with its
-- province and youth-care region, and whether any declaration was loaded for it.
SELECT
    g.municipality_code,
    g.municipality_name,
    g.province,
    g.youth_care_region,
    g.municipality_code IN (SELECT DISTINCT municipality_code FROM {{ ref('declaration_lines') }}) AS has_declarations
FROM {{ source('ref', 'municipalities') }} AS g
ORDER BY g.municipality_code
