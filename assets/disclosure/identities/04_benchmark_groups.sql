-- a benchmark table (its columns declare meta.disclosure.benchmark): a region's (all
-- municipalities') numerator and denominator are the sums of those of the municipalities with a
-- row for the measure there, suppressed ones included; once per such table, named {benchmark}
WITH rb AS (SELECT rowid AS rid, youth_care_region AS region, year, measure FROM {catalog}.marts.{benchmark}),
sides AS (
    SELECT p.*, rb.region, rb.year, rb.measure, split_part(p.col, '_', 1) AS grp, split_part(p.col, '_', 2) AS side
    FROM pub AS p JOIN rb USING (rid) WHERE p.tbl = '{benchmark}'
)
SELECT DISTINCT concat_ws('|', 'bench', g.grp, g.side, CASE WHEN g.grp = 'region' THEN m.region END, m.year,
                          m.measure) AS iid, m.q, m.a, m.b, m.c, 1
FROM sides AS m JOIN (SELECT DISTINCT grp, side FROM sides WHERE grp <> 'municipality') AS g ON g.side = m.side
WHERE m.grp = 'municipality'
UNION ALL
SELECT DISTINCT concat_ws('|', 'bench', grp, side, CASE WHEN grp = 'region' THEN region END, year, measure),
       q, a, b, c, -1
FROM sides WHERE grp <> 'municipality'
