-- a year's change is this year's spend less last year's, and splits two ways
WITH g AS (SELECT * FROM keys WHERE q = 'spend_change' AND c = ''),
terms AS (
    SELECT 'before' AS kind, g.a, g.b, 'spend_year_before' AS tq, g.b AS tb, 1 AS coef FROM g
    UNION ALL SELECT 'before', a, b, 'spend', (b::INTEGER - 1)::VARCHAR, -1 FROM g
    UNION ALL SELECT 'change' AS kind, g.a, g.b, 'spend' AS tq, g.b AS tb, -1 AS coef FROM g
    UNION ALL SELECT 'change', a, b, 'spend', (b::INTEGER - 1)::VARCHAR, 1 FROM g
    UNION ALL SELECT 'change', a, b, 'spend_change', b, 1 FROM g
    UNION ALL SELECT 'clients', a, b, 'spend_change', b, -1 FROM g
    UNION ALL SELECT 'clients', a, b, 'client_effect', b, 1 FROM g
    UNION ALL SELECT 'clients', a, b, 'per_client_effect', b, 1 FROM g
    UNION ALL SELECT 'price', a, b, 'spend_change', b, -1 FROM g
    UNION ALL SELECT 'price', a, b, 'price_effect', b, 1 FROM g
    UNION ALL SELECT 'price', a, b, 'volume_mix_effect', b, 1 FROM g
)
SELECT concat_ws('|', 'growth', kind, t.a, t.b), k.q, k.a, k.b, k.c, t.coef FROM terms AS t
JOIN keys AS k ON k.q = t.tq AND k.a = t.a AND k.b = t.tb AND k.c = ''
