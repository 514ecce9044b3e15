-- Grain: one row per municipality and year t that has declarations in both t and t-1. Why spend
-- changed against the year before (the Twente audit: councils "lack insight into the causes of
-- rising spending"), split two exact ways with midpoint weights, so each split adds up to the
-- change to the cent:
--   clients:  client_effect = dC x (S_t + S_t-1)/2, per_client_effect = dS x (C_t + C_t-1)/2
--             (C = clients, S = spend per client);
--   price:    price_effect = sum over product codes declared in both years of
--             (tariff_t - tariff_t-1) x (units_t + units_t-1)/2 (tariff = net amount / net
--             delivered volume of the code and year), volume_mix_effect = the rest, which includes
--             codes declared in one of the two years only.
-- The second part of each split is the change minus the first part, rounded to the cent, so the
-- identity holds exactly on every row; the published file enforces it with a CHECK constraint.
WITH clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'), ['municipality_code', 'service_year AS year']) }}
),
per_code AS (
    SELECT
        municipality_code,
        service_year AS year,
        product_code,
        sum(amount_eur) AS net_eur,
        sum(CASE WHEN debit_credit = 'C' THEN -delivered_volume ELSE delivered_volume END) AS units
    FROM {{ ref('declaration_lines') }}
    GROUP BY ALL
),
price AS (
    SELECT
        cur.municipality_code,
        cur.year,
        sum((cur.net_eur / cur.units - prev.net_eur / prev.units)::DOUBLE * (cur.units + prev.units) / 2)
            AS price_effect
    FROM per_code AS cur
    JOIN per_code AS prev
        ON prev.municipality_code = cur.municipality_code AND prev.year = cur.year - 1
        AND prev.product_code = cur.product_code
    WHERE cur.units > 0 AND prev.units > 0
    GROUP BY ALL
),
yearly AS (
    SELECT s.municipality_code, s.year, s.spend_eur, c.clients, pop.youth_population
    FROM (SELECT municipality_code, year, sum(net_eur) AS spend_eur FROM per_code GROUP BY ALL) AS s
    JOIN clients AS c USING (municipality_code, year)
    LEFT JOIN {{ source('ref', 'population') }} AS pop USING (municipality_code, year)
),
pairs AS (
    SELECT
        cur.municipality_code,
        cur.year,
        cur.spend_eur,
        prev.spend_eur AS spend_year_before_eur,
        cur.clients,
        prev.clients AS clients_year_before,
        cur.youth_population,
        cur.youth_population - prev.youth_population AS youth_population_change,
        cur.spend_eur - prev.spend_eur AS spend_change_eur,
        round((cur.clients - prev.clients)
              * (cur.spend_eur::DOUBLE / cur.clients + prev.spend_eur::DOUBLE / prev.clients) / 2, 2)
            ::DECIMAL(18, 2) AS client_effect_eur,
        round(coalesce(p.price_effect, 0), 2)::DECIMAL(18, 2) AS price_effect_eur,
        {{ is_small_cell('cur.clients') }} OR {{ is_small_cell('prev.clients') }} AS suppressed
    FROM yearly AS cur
    JOIN yearly AS prev ON prev.municipality_code = cur.municipality_code AND prev.year = cur.year - 1
    LEFT JOIN price AS p ON p.municipality_code = cur.municipality_code AND p.year = cur.year
    WHERE cur.clients > 0 AND prev.clients > 0
)
SELECT
    x.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    x.year::INTEGER AS year,
    {{ unless_suppressed('x.spend_eur::DECIMAL(18, 2)', 'x.suppressed') }} AS spend_eur,
    {{ unless_suppressed('x.spend_year_before_eur::DECIMAL(18, 2)', 'x.suppressed') }} AS spend_year_before_eur,
    {{ unless_suppressed('x.spend_change_eur::DECIMAL(18, 2)', 'x.suppressed') }} AS spend_change_eur,
    {{ unless_suppressed('x.client_effect_eur', 'x.suppressed') }} AS client_effect_eur,
    {{ unless_suppressed('(x.spend_change_eur - x.client_effect_eur)::DECIMAL(18, 2)', 'x.suppressed') }}
        AS per_client_effect_eur,
    {{ unless_suppressed('x.price_effect_eur', 'x.suppressed') }} AS price_effect_eur,
    {{ unless_suppressed('(x.spend_change_eur - x.price_effect_eur)::DECIMAL(18, 2)', 'x.suppressed') }}
        AS volume_mix_effect_eur,
    {{ unless_suppressed('x.clients', 'x.suppressed') }} AS clients,
    {{ unless_suppressed('x.clients_year_before', 'x.suppressed') }} AS clients_year_before,
    {{ unless_suppressed('(x.spend_eur / x.clients)::DECIMAL(18, 2)', 'x.suppressed') }} AS spend_per_client_eur,
    {{ unless_suppressed('(x.spend_year_before_eur / x.clients_year_before)::DECIMAL(18, 2)', 'x.suppressed') }}
        AS spend_per_client_year_before_eur,
    x.youth_population,
    x.youth_population_change,
    x.suppressed
FROM pairs AS x
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY x.municipality_code, x.year
