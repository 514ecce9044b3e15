-- Grain: one row per municipality and year t that has declarations in both t and t-1. Why spend
-- changed against the year before (the Twente audit: councils "lack insight into the causes of
-- rising spending"): the change split exactly into clients + per client and into price +
-- volume/mix (staging.spend_changes computes them), with the tariff change in percent to hold
-- against the youth-care index. The published file enforces with CHECK constraints that each
-- split adds up to the change to the cent. A row is suppressed when either year has fewer than k
-- clients; region_benchmark holds the same parts summed over the youth-care region.
SELECT
    x.municipality_code,
    g.municipality_name,
    g.youth_care_region,
    x.year,
    {{ unless_suppressed('x.spend_eur') }} AS spend_eur,
    {{ unless_suppressed('x.spend_year_before_eur') }} AS spend_year_before_eur,
    {{ unless_suppressed('x.spend_change_eur') }} AS spend_change_eur,
    {{ unless_suppressed('x.client_effect_eur') }} AS client_effect_eur,
    {{ unless_suppressed('x.per_client_effect_eur') }} AS per_client_effect_eur,
    {{ unless_suppressed('x.price_effect_eur') }} AS price_effect_eur,
    {{ unless_suppressed('x.volume_mix_effect_eur') }} AS volume_mix_effect_eur,
    {{ unless_suppressed('round(x.tariff_change_pct, 2)') }} AS tariff_change_pct,
    {{ unless_suppressed('x.clients') }} AS clients,
    {{ unless_suppressed('x.clients_year_before') }} AS clients_year_before,
    {{ unless_suppressed('(x.spend_eur / x.clients)::DECIMAL(18, 2)') }} AS spend_per_client_eur,
    {{ unless_suppressed('(x.spend_year_before_eur / x.clients_year_before)::DECIMAL(18, 2)') }}
        AS spend_per_client_year_before_eur,
    x.youth_population,
    x.youth_population_change,
    x.suppressed
FROM (
    SELECT *, {{ is_small_cell('clients') }} OR {{ is_small_cell('clients_year_before') }} AS suppressed
    FROM {{ ref('spend_changes') }}
) AS x
LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
ORDER BY x.municipality_code, x.year
