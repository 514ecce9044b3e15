{#- The duration bands in their natural order (1 = shortest), so a BI tool sorts <3m before 3-6m
    rather than alphabetically; 'onbekend' (no start date, or an end before the start) last. -#}
{% macro duration_band_order(band) -%}
    list_position(['<3m', '3-6m', '6-12m', '12-24m', '>=24m', 'onbekend'], {{ band }})::BIGINT
{%- endmacro %}
