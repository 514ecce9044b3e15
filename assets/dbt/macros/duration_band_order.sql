{#- The duration bands in their natural order (1 = shortest), so a BI tool sorts <3m before 3-6m
    rather than alphabetically. -#}
{% macro duration_band_order(band) -%}
    list_position(['<3m', '3-6m', '6-12m', '12-24m', '>=24m'], {{ band }})::BIGINT
{%- endmacro %}
