-- Grain: one row per municipality and year: region_benchmark with one column per measure instead of
-- a row per measure, for the common case (a BI tool joins it on municipality and year without a
-- measure filter, and may SUM its counts). Its columns come from the one declaration of the measures
-- (macros/benchmark_measures.sql) and this model's YAML: per measure the templates in meta.per_measure
-- (the municipality's, the region's and all municipalities' value, the rank in the region), then every
-- numerator and denominator once (benchmark_quantities: counts BIGINT, amounts DECIMAL(18, 2)), each
-- with the comment and additivity marker its YAML gives (post-hook: the YAML cannot list columns it
-- does not know by name).
-- It is empty here: the publish step fills it from region_benchmark as published, after disclosure
-- control (assets/publish.py), so it shows only what region_benchmark shows, and a numerator or
-- denominator only where every row of region_benchmark that carries it shows it.
{{ config(post_hook="{{ comment_per_measure_columns(this) }}") }}
{%- set templates = (model.config.meta or {}).get('per_measure') or [] %}
SELECT
    NULL::VARCHAR AS municipality_code,
    NULL::VARCHAR AS municipality_name,
    NULL::VARCHAR AS youth_care_region,
    NULL::INTEGER AS year,
    {%- for m in benchmark_measures() %}
    {%- for t in templates %}
    NULL::{{ t.type }} AS "{{ t.name | replace('{measure}', m.measure) }}",
    {%- endfor %}
    {%- endfor %}
    {%- for q in benchmark_quantities() %}
    NULL::{{ q.type }} AS "{{ q.name }}"{{ ',' if not loop.last }}
    {%- endfor %}
WHERE false
