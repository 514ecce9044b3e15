{#- dbt-duckdb's column comments (persist_docs), with each column's additivity marker after its
    description (additive_marker.sql), so the BI file says on every measure whether it may be summed. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list %}
  {% for column_name in column_dict if (column_name in existing_columns) %}
    {% set column = column_dict[column_name] %}
    {% set meta = (column.get('config') or {}).get('meta') or column.get('meta') or {} %}
    {% set escaped_comment = duckdb_escape_comment(column_comment(column['description'], meta)) %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column['quote'] else column_name }} is {{ escaped_comment }};
  {% endfor %}
{% endmacro %}
