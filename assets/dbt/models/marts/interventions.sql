-- Grain: one row per municipality, year and product code (intervention). Spend and clients by
-- the product code declared, in the year of service; outcomes of the trajectories that ended that
-- year, each under its own product code: the code with the largest net spend on its allocation
-- (ties: the lowest code). With the product's NJi recognition and whether it counts as effective.
WITH spend AS (
    SELECT municipality_code, service_year AS year, product_code, sum(amount_eur) AS spend_eur
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
),
clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'), ['municipality_code', 'service_year AS year',
                                                              'product_code']) }}
),
main_code AS (
    SELECT municipality_code, allocation_number, product_code
    FROM (
        SELECT municipality_code, allocation_number, product_code, sum(amount_eur) AS net_eur
        FROM {{ ref('declaration_lines') }}
        GROUP BY ALL
    )
    QUALIFY row_number() OVER (PARTITION BY municipality_code, allocation_number
                               ORDER BY net_eur DESC, product_code) = 1
),
outcomes AS (
    SELECT o.*, m.product_code
    FROM {{ ref('trajectory_outcomes') }} AS o
    JOIN main_code AS m USING (municipality_code, allocation_number)
),
keyed AS (
    SELECT
        k.municipality_code,
        k.year,
        k.product_code,
        s.spend_eur,
        coalesce(cl.clients, 0) AS clients,
        {{ is_small_cell('coalesce(cl.clients, 0)') }} AS spend_suppressed
    FROM (
        SELECT municipality_code, year, product_code FROM spend
        UNION SELECT municipality_code, year, product_code FROM outcomes
    ) AS k
    LEFT JOIN spend AS s USING (municipality_code, year, product_code)
    LEFT JOIN clients AS cl USING (municipality_code, year, product_code)
)
SELECT
    k.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    k.year::INTEGER AS year,
    k.product_code,
    p.product_category,
    p.intervention,
    coalesce(p.nji_recognition, 'niet beoordeeld') AS nji_recognition,
    coalesce({{ is_evidence_based('p.nji_recognition') }}, false) AS evidence_based,
    CASE WHEN NOT k.spend_suppressed THEN k.spend_eur::DECIMAL(18, 2) END AS spend_eur,
    CASE WHEN NOT k.spend_suppressed THEN k.clients END AS clients,
    {{ effectiveness_measures(with_spend=false) }},
    k.spend_suppressed AS suppressed
FROM keyed AS k
LEFT JOIN {{ effectiveness_cells('outcomes', 'municipality_code, year, product_code') }}
    USING (municipality_code, year, product_code)
LEFT JOIN {{ source('ref', 'products') }} AS p USING (product_code)
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY k.municipality_code, k.year, k.product_code
