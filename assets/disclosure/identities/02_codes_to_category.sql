-- a product category's figure (spend, outcomes) is the sum of its product codes'
WITH codes AS (
    SELECT k.q, k.a, k.b, k.c, 'cat:' || d.product_category AS cat
    FROM keys AS k JOIN {catalog}.marts.{dimension[product_code]} AS d ON k.c = 'code:' || d.product_code
    WHERE k.c LIKE 'code:%'),
parents AS (SELECT DISTINCT x.q, x.a, x.b, x.cat FROM codes AS x
            JOIN keys AS k ON k.q = x.q AND k.a = x.a AND k.b = x.b AND k.c = x.cat)
SELECT concat_ws('|', 'codes', q, a, b, cat), q, a, b, c, 1 FROM codes JOIN parents USING (q, a, b, cat)
UNION ALL
SELECT concat_ws('|', 'codes', q, a, b, cat), q, a, b, cat, -1 FROM parents
