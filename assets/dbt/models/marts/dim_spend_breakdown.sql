-- Grain: one row per mart that breaks a municipality's yearly spend down, as spend_not_shown's
-- table_name names it: the marts whose YAML's meta.rolls_up names spend_not_shown, each with the
-- label its YAML gives it (meta.breakdown_label), which the council letters print beside what that
-- breakdown does not show. Read from the project's own declarations (dbt's graph), so a new
-- breakdown is labelled where it is declared.
{%- set found = [] -%}
{%- if execute -%}
  {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
    {%- set meta = node.config.meta or node.meta or {} -%}
    {%- if meta.get('rolls_up') and 'spend_not_shown' in meta.rolls_up | map(attribute='not_shown') | list -%}
      {%- do found.append({'name': node.name, 'label': meta.get('breakdown_label')}) -%}
    {%- endif -%}
  {%- endfor -%}
{%- endif %}
{% for b in found | sort(attribute='name') %}
SELECT '{{ b.name }}' AS table_name, {{ "'" ~ b.label ~ "'" if b.label else 'NULL' }}::VARCHAR AS breakdown_label
UNION ALL
{%- endfor %}
SELECT NULL::VARCHAR AS table_name, NULL::VARCHAR AS breakdown_label
WHERE false
