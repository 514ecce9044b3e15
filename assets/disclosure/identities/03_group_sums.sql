-- a region's figure ('region:<code>') is the sum of its municipalities'; a provider's figure the
-- sum over the municipalities it served (its regions' figures are sums of the same, not parts);
-- the national duration table the sum of the regions' years
WITH members AS (
    SELECT k.q AS gq, 'region:' || m.youth_care_region AS ga, k.b AS gb, k.c AS gc, k.* FROM keys AS k
    JOIN {catalog}.marts.{dimension[municipality_code]} AS m ON m.municipality_code = k.a
    UNION ALL
    SELECT q || '_provider', substr(c, 6), b, '', * FROM keys
    WHERE c LIKE 'prov:%' AND a IN (SELECT municipality_code FROM {catalog}.marts.{dimension[municipality_code]})
    UNION ALL
    SELECT q, 'all', '', c, * FROM keys WHERE q LIKE 'dur_%' AND a <> 'all'
),
groups AS (SELECT DISTINCT gq, ga, gb, gc FROM members
           JOIN keys AS g ON g.q = members.gq AND g.a = members.ga AND g.b = members.gb AND g.c = members.gc)
SELECT concat_ws('|', 'group', gq, ga, gb, gc), q, a, b, c, 1 FROM members JOIN groups USING (gq, ga, gb, gc)
UNION ALL
SELECT concat_ws('|', 'group', gq, ga, gb, gc), gq, ga, gb, gc, -1 FROM groups
