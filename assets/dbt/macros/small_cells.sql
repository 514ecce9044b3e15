{#- Small-cell suppression (DATA_CONTRACT "Small cells"): a published row describing fewer than k
    distinct clients shows its keys, suppressed = true and NULL in every measure. k is the dbt
    var min_cell_size, which Dagster passes from JEUGDZORG_MIN_CELL_SIZE (pipelines/settings.py). -#}

{% macro min_cell_size() -%}
    {{ var('min_cell_size', env_var('JEUGDZORG_MIN_CELL_SIZE', '10')) | int }}
{%- endmacro %}

{#- true when `clients` (an expression counting distinct clients) is below k. At k = 1 nothing is:
    a row that counts no client with a positive net amount (a start whose care was credited back,
    a provider paid only credits) still describes what it shows, and nothing needs hiding. -#}
{% macro is_small_cell(clients) -%}
    {%- if (min_cell_size() | trim | int) > 1 -%}
    {{ clients }} < {{ min_cell_size() }}
    {%- else -%}
    false
    {%- endif -%}
{%- endmacro %}

{#- the measure `expr` unless the row is suppressed (then NULL) -#}
{% macro unless_suppressed(expr, flag='suppressed') -%}
    CASE WHEN NOT {{ flag }} THEN {{ expr }} END
{%- endmacro %}
