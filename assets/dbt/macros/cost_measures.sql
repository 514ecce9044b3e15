{#- The yearly cost columns shared by cost_by_municipality_year and cost_by_municipality_product_year.

    Both compute spend, clients, youth population, the spend a year before and the spend on
    evidence-based products per cell (relation `y` with a `suppressed` flag); the contract's
    columns follow from those the same way in both. -#}
{% macro cost_measures() -%}
    CASE WHEN NOT suppressed THEN y.spend_eur::DECIMAL(18, 2) END AS spend_eur,
    CASE WHEN NOT suppressed THEN y.clients END AS clients,
    CASE WHEN NOT suppressed THEN y.youth_population END AS youth_population,
    CASE WHEN NOT suppressed AND y.youth_population > 0
        THEN (y.spend_eur / y.youth_population)::DECIMAL(18, 2) END AS spend_per_youth_eur,
    CASE WHEN NOT suppressed AND y.youth_population > 0
        THEN round(y.clients * 1000.0 / y.youth_population, 1)::DOUBLE END AS clients_per_1000_youth,
    CASE WHEN NOT suppressed AND y.clients > 0 THEN (y.spend_eur / y.clients)::DECIMAL(18, 2) END
        AS spend_per_client_eur,
    CASE WHEN NOT suppressed AND y.spend_year_before_eur <> 0
        THEN round((y.spend_eur - y.spend_year_before_eur) / abs(y.spend_year_before_eur) * 100, 1)::DOUBLE END
        AS spend_yoy_pct,
    CASE WHEN NOT suppressed AND y.spend_eur <> 0
        THEN round(coalesce(y.evidence_based_eur, 0) / y.spend_eur * 100, 1)::DOUBLE END
        AS evidence_based_spend_pct
{%- endmacro %}
