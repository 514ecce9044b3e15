-- the caseload running at a month's end is last month's plus the month's starts less its endings
-- (a month in which nothing ran has no row: no identity for the month after it)
WITH r AS (SELECT a, b, strptime(b, '%Y-%m')::DATE AS month FROM keys WHERE q = 'running' AND c = ''),
terms AS (
    SELECT r.a, r.b, t.* FROM r JOIN r AS prev ON prev.a = r.a AND prev.month = r.month - INTERVAL 1 MONTH,
    LATERAL (VALUES ('running', r.b, '', 1), ('running', prev.b, '', -1),
                    ('started', left(r.b, 4), 'month:' || r.b, -1),
                    ('ended', left(r.b, 4), 'month:' || r.b, 1)) AS t(tq, tb, tc, coef)
)
SELECT concat_ws('|', 'stock', t.a, t.b) AS iid, k.q, k.a, k.b, k.c, t.coef FROM terms AS t
JOIN keys AS k ON (k.q, k.a, k.b, k.c) = (t.tq, t.a, t.tb, t.tc)
QUALIFY count(*) OVER (PARTITION BY iid) = 4
