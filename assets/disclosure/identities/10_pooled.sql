-- a figure pooled over years (key '2023-2025') is the sum of those years' figures at the same key
WITH pooled AS (SELECT * FROM keys WHERE b LIKE '____-____'),
years AS (SELECT k.*, p.b AS pb FROM pooled AS p JOIN keys AS k
          ON (k.q, k.a, k.c) = (p.q, p.a, p.c) AND k.b LIKE '____'
          AND try_cast(k.b AS INTEGER) BETWEEN left(p.b, 4)::INTEGER AND right(p.b, 4)::INTEGER)
SELECT concat_ws('|', 'pooled', q, a, pb, c), q, a, b, c, 1 FROM years
UNION ALL
SELECT concat_ws('|', 'pooled', q, a, b, c), q, a, b, c, -1 FROM pooled
