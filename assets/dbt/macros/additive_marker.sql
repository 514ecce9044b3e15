{#- Whether a BI tool may SUM a column, as its YAML meta says (additive: true, with sum_within for the
    columns to keep fixed, or additive: false with not_additive: a reason from vars.not_additive), as
    the few words the column's comment ends with. A column that says nothing gets nothing: the
    publish step refuses a measure column whose comment carries no marker (assets/publish.py). -#}
{% macro additive_marker(meta) -%}
  {%- set meta = meta or {} -%}
  {%- if meta.get('additive') is true -%}
    {%- set within = meta.get('sum_within') or [] -%}
    (optelbaar{{ ' binnen één ' ~ (within | join(' en ')) if within }})
  {%- elif meta.get('additive') is false -%}
    {%- set reasons = var('not_additive') -%}
    {%- if meta.get('not_additive') not in reasons -%}
      {%- do exceptions.raise_compiler_error('additive: false needs not_additive, one of ' ~ (reasons.keys() | join(', '))
          ~ '; got ' ~ meta.get('not_additive')) -%}
    {%- endif -%}
    (niet optelbaar: {{ reasons[meta.get('not_additive')] }})
  {%- endif -%}
{%- endmacro %}

{#- A column's comment: its description, then its additivity marker. -#}
{% macro column_comment(description, meta) -%}
  {%- set marker = additive_marker(meta) | trim -%}
  {{ description ~ (' ' ~ marker if marker) }}
{%- endmacro %}
