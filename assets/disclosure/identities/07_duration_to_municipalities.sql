-- a region's duration bands of a category and year add up to its municipalities' category figure
WITH dur AS (SELECT *, substr(q, 5) AS base, split_part(c, '|', 1) AS cat FROM keys
             WHERE q LIKE 'dur_%' AND a <> 'all'),
mun AS (SELECT k.*, m.youth_care_region AS region, substr(k.c, 5) AS cat FROM keys AS k
        JOIN {catalog}.marts.{dimension[municipality_code]} AS m ON m.municipality_code = k.a WHERE k.c LIKE 'cat:%'),
groups AS (SELECT DISTINCT base, a AS region, b AS year, cat FROM dur)
SELECT concat_ws('|', 'duration', g.base, g.region, g.year, g.cat), d.q, d.a, d.b, d.c, 1 FROM dur AS d
JOIN groups AS g ON (d.base, d.a, d.b, d.cat) = (g.base, g.region, g.year, g.cat)
UNION ALL
SELECT concat_ws('|', 'duration', g.base, g.region, g.year, g.cat), m.q, m.a, m.b, m.c, -1 FROM mun AS m
JOIN groups AS g ON (m.q, m.region, m.b, m.cat) = (g.base, g.region, g.year, g.cat)
