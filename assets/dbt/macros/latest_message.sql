{#- The message that counts for each allocation: the latest loaded record (message date, then
    the later file, then the later line). A later JW301 with a RedenWijziging replaces the
    allocation; a later JW305/JW307 corrects the start or stop. When that latest record cancels
    (StatusAanlevering 3) the start or stop counts as never sent. -#}
{% macro latest_message(table, cancellable=true) -%}
    SELECT *
    FROM {{ source('raw', table) }}
    WHERE status = 'loaded'
    QUALIFY row_number() OVER (PARTITION BY municipality_code, allocation_number
                               ORDER BY message_date DESC, file_id DESC, line_no DESC) = 1
    {%- if cancellable %} AND coalesce(delivery_status, '1') <> '3'{% endif %}
{%- endmacro %}
