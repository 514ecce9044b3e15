-- the evidence-based spend is the spend on the product codes the product dimension marks evidence_based
WITH codes AS (SELECT k.* FROM keys AS k JOIN {catalog}.marts.{dimension[product_code]} AS d ON k.c = 'code:' || d.product_code
               WHERE k.q = 'spend' AND d.evidence_based),
-- (without any such code's row, the zero is what the table that publishes it already says)
parents AS (SELECT DISTINCT p.* FROM keys AS p JOIN codes AS x ON x.a = p.a AND x.b = p.b
            WHERE p.q = 'evidence_based_spend')
SELECT concat_ws('|', 'evidence', p.a, p.b), x.q, x.a, x.b, x.c, 1 FROM parents AS p
JOIN codes AS x ON x.a = p.a AND x.b = p.b
UNION ALL
SELECT concat_ws('|', 'evidence', a, b), q, a, b, c, -1 FROM parents
