-- a rolling 12-month sum is the sum of its 12 months
WITH r AS (SELECT *, strptime(b, '%Y-%m')::DATE AS month FROM keys WHERE q = 'rolling'),
m AS (SELECT *, strptime(substr(c, 7), '%Y-%m')::DATE AS month FROM keys WHERE q = 'spend' AND c LIKE 'month:%')
SELECT concat_ws('|', 'rolling', r.a, r.b), m.q, m.a, m.b, m.c, 1 FROM r
JOIN m ON m.a = r.a AND m.month BETWEEN r.month - INTERVAL 11 MONTH AND r.month
UNION ALL
SELECT concat_ws('|', 'rolling', a, b), q, a, b, c, -1 FROM r
