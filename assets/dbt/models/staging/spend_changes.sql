-- Grain: one row per municipality and year t that has clients in both t and t-1: the exact
-- decompositions of the spend change that spend_growth publishes and region_benchmark sums over a
-- region, before any small-cell rule (Twente audit: the causes of rising spending). With midpoint
-- weights, so each split adds up to the change to the cent:
--   clients:  client_effect = dC x (S_t + S_t-1)/2, per_client_effect = dS x (C_t + C_t-1)/2
--             (C = clients, S = spend per client);
--   price:    price_effect = sum over product codes declared in both years of
--             (tariff_t - tariff_t-1) x (units_t + units_t-1)/2 (tariff = net amount / net
--             delivered volume of the code and year), volume_mix_effect = the rest, which includes
--             codes declared in one of the two years only.
-- The second part of each split is the change minus the first part, both rounded to the cent, so
-- the identity holds exactly on every row. price_base_eur (sum of tariff_t-1 x the same midpoint
-- units) turns the price effect into a tariff change in percent (tariff_change_pct), the figure to
-- hold against the youth-care index: unlike price effect / last year's spend it does not grow
-- with volume, and it stays true when year t holds only part of a year.
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
        -- each code's term in micro-euros, summed as DECIMAL: a sum of DOUBLEs depends on the order
        -- the threads add them, and could put a cent on either side of a half from one run to the next
        sum(round((cur.net_eur / cur.units - prev.net_eur / prev.units)::DOUBLE * (cur.units + prev.units) / 2, 6)
            ::DECIMAL(38, 6)) AS price_effect,
        sum(round((prev.net_eur / prev.units)::DOUBLE * (cur.units + prev.units) / 2, 6)::DECIMAL(38, 6))
            AS price_base
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
        cur.year::INTEGER AS year,
        cur.spend_eur::DECIMAL(18, 2) AS spend_eur,
        prev.spend_eur::DECIMAL(18, 2) AS spend_year_before_eur,
        (cur.spend_eur - prev.spend_eur)::DECIMAL(18, 2) AS spend_change_eur,
        cur.clients::BIGINT AS clients,
        prev.clients::BIGINT AS clients_year_before,
        cur.youth_population,
        cur.youth_population - prev.youth_population AS youth_population_change,
        round((cur.clients - prev.clients)
              * (cur.spend_eur::DOUBLE / cur.clients + prev.spend_eur::DOUBLE / prev.clients) / 2, 2)
            ::DECIMAL(18, 2) AS client_effect_eur,
        round(coalesce(p.price_effect, 0), 2)::DECIMAL(18, 2) AS price_effect_eur,
        round(coalesce(p.price_base, 0), 2)::DECIMAL(18, 2) AS price_base_eur
    FROM yearly AS cur
    JOIN yearly AS prev ON prev.municipality_code = cur.municipality_code AND prev.year = cur.year - 1
    LEFT JOIN price AS p ON p.municipality_code = cur.municipality_code AND p.year = cur.year
    WHERE cur.clients > 0 AND prev.clients > 0
)
SELECT
    municipality_code,
    year,
    spend_eur,
    spend_year_before_eur,
    spend_change_eur,
    client_effect_eur,
    (spend_change_eur - client_effect_eur)::DECIMAL(18, 2) AS per_client_effect_eur,
    price_effect_eur,
    (spend_change_eur - price_effect_eur)::DECIMAL(18, 2) AS volume_mix_effect_eur,
    price_base_eur,
    CASE WHEN price_base_eur > 0 THEN 100 * price_effect_eur::DOUBLE / price_base_eur END AS tariff_change_pct,
    clients,
    clients_year_before,
    youth_population,
    youth_population_change
FROM pairs
ORDER BY municipality_code, year
