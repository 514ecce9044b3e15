{#- Evidence-based (DATA_CONTRACT, evidence_based_spend_pct): a product whose NJi recognition starts
    with "effectief" (eerste, goede or sterke aanwijzingen); "goed onderbouwd" and "niet beoordeeld"
    are not. One definition for the cost marts and dim_product. -#}
{% macro is_evidence_based(recognition) -%}
    {{ recognition }} LIKE 'effectief%'
{%- endmacro %}
