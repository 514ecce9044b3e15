{#- The grain of a model holds: no two rows share the same values of `columns`. dbt's own
    `unique` takes one column; a mart's grain is usually several. -#}
{% test unique_key(model, columns) %}
SELECT {{ columns | join(', ') }}, count(*) AS rows
FROM {{ model }}
GROUP BY ALL
HAVING count(*) > 1
{% endtest %}
