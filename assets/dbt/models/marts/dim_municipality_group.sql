-- Grain: one row per group of municipalities and member municipality. The groups a council compares
-- or adds up: the audit groups and purchasing regions of ref.municipality_groups (gemeentegroepen.csv:
-- shipped with the nine municipalities of the Twente audit and OZJT, the Twente purchasing region;
-- foundation/reference_data/gemeentegroepen.md names the sources), and every youth-care region of
-- the CBS list (ref.municipalities), whose members are listed there and nowhere else. A group's
-- total is one join away: join a mart on municipality_code and filter on group_code.
SELECT
    g.group_code,
    g.group_name,
    g.group_kind,
    g.municipality_code,
    m.municipality_name
FROM {{ source('ref', 'municipality_groups') }} AS g
LEFT JOIN {{ source('ref', 'municipalities') }} AS m USING (municipality_code)
UNION ALL
SELECT
    'region:' || m.youth_care_region AS group_code,
    'Jeugdzorgregio ' || m.youth_care_region AS group_name,
    'youth-care region' AS group_kind,
    m.municipality_code,
    m.municipality_name
FROM {{ source('ref', 'municipalities') }} AS m
WHERE m.youth_care_region IS NOT NULL
ORDER BY group_kind, group_code, municipality_code
