-- Grain: one row per product code in the reference list or in the declarations, with its
-- JZ020 category, intervention and NJi recognition level.
WITH declared AS (
    SELECT product_code, any_value(product_category) AS product_category
    FROM {{ ref('declaration_lines') }} GROUP BY ALL
)
SELECT
    coalesce(p.product_code, d.product_code) AS product_code,
    coalesce(p.product_category, d.product_category) AS product_category,
    c.omschrijving AS product_category_description,
    p.product_description,
    p.intervention,
    coalesce(p.nji_recognition, 'niet beoordeeld') AS nji_recognition,
    coalesce({{ is_evidence_based('p.nji_recognition') }}, false) AS evidence_based
FROM {{ source('ref', 'products') }} AS p
FULL OUTER JOIN declared AS d USING (product_code)
LEFT JOIN {{ source('ref', 'product_categories') }} AS c ON c.code = coalesce(p.product_category, d.product_category)
ORDER BY product_code
