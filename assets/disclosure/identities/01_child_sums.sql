-- a parent (q, a, b, '') is the sum of its children (q, a, b, 'kind:...'), one identity per kind
WITH kids AS (SELECT *, split_part(c, ':', 1) AS kind FROM keys WHERE c LIKE '%:%'),
parents AS (SELECT DISTINCT k.q, k.a, k.b, k.kind FROM kids AS k
            JOIN keys AS p ON p.q = k.q AND p.a = k.a AND p.b = k.b AND p.c = '')
SELECT concat_ws('|', 'sum', q, a, b, kind) AS iid, q, a, b, c, 1 AS coef
FROM kids JOIN parents USING (q, a, b, kind)
UNION ALL
SELECT concat_ws('|', 'sum', q, a, b, kind), q, a, b, '', -1 FROM parents
