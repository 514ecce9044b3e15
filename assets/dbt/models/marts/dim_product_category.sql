-- Grain: one row per product category (JZ020 code) in the code list, the declarations or the
-- outcome records: the
-- key to join on product_category. Joining dim_product on product_category instead repeats
-- every row once per product of that category and multiplies spend.
WITH declared AS (
    SELECT product_category FROM {{ ref('declaration_lines') }}
    UNION
    SELECT product_category FROM {{ ref('outcome_responses') }} WHERE product_category IS NOT NULL
)
SELECT
    coalesce(c.code, d.product_category) AS product_category,
    coalesce(c.omschrijving, 'onbekende categorie') AS product_category_description,
    (SELECT count(*) FROM {{ source('ref', 'products') }} AS p
     WHERE p.product_category = coalesce(c.code, d.product_category))::BIGINT AS products
FROM {{ source('ref', 'product_categories') }} AS c
FULL OUTER JOIN declared AS d ON d.product_category = c.code
ORDER BY product_category
