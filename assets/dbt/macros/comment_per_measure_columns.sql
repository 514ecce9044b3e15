{#- The comments of the columns a model makes per measure (region_benchmark_wide): per template of its
    meta.per_measure, the description with the measure's label filled in; per numerator or denominator,
    its entry in meta.quantities; each with its additivity marker. A template or quantity without a
    description, or a quantity the YAML does not describe, stops the build. -#}
{% macro comment_per_measure_columns(relation) %}
  {%- if execute -%}
  {%- set meta = model.config.meta or {} -%}
  {%- set quantities = meta.get('quantities') or {} -%}
  {%- for m in benchmark_measures() -%}
    {%- for t in meta.get('per_measure') or [] -%}
      {%- set text = column_comment(t.description | replace('{label}', m.label), t) -%}
      comment on column {{ relation }}."{{ t.name | replace('{measure}', m.measure) }}" is {{ duckdb_escape_comment(text) }};
    {% endfor -%}
  {%- endfor -%}
  {%- for q in benchmark_quantities() -%}
    {%- if q.name not in quantities -%}
      {%- do exceptions.raise_compiler_error(model.name ~ ': meta.quantities does not describe ' ~ q.name) -%}
    {%- endif -%}
    comment on column {{ relation }}."{{ q.name }}" is {{ duckdb_escape_comment(column_comment(quantities[q.name].description, quantities[q.name])) }};
  {% endfor -%}
  {%- endif -%}
{% endmacro %}
