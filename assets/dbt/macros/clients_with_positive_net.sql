{#- "Clients" of a row (DATA_CONTRACT): distinct clients whose net amount within the row's scope
    is positive. A client whose debits were all credited back counts for no one.

    lines: the declaration lines relation; keys: the grain as SQL expressions, each optionally
    "expr AS name". Yields the grain's names and `clients` (BIGINT). -#}
{% macro clients_with_positive_net(lines, keys) -%}
    {%- set names = [] -%}
    {%- for key in keys -%}{%- do names.append(key.split(' AS ')[-1]) -%}{%- endfor -%}
    SELECT {{ names | join(', ') }}, count(*) FILTER (WHERE net_eur > 0) AS clients
    FROM (
        SELECT {{ keys | join(', ') }}, client_pseudonym, sum(amount_eur) AS net_eur
        FROM {{ lines }}
        GROUP BY ALL
    )
    GROUP BY ALL
{%- endmacro %}
