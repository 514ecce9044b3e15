{#- A model's schema is exactly the one it configures (staging, quarantine, marts), not dbt's
    default <target>_<custom>: the checks, the publish step and BI users name those schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
