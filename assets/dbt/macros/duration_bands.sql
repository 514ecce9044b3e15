{#- The duration bands of a trajectory (days from start to end, computed in staging's
    trajectory_outcomes), written once: in their natural order (1 = shortest), each with how the
    council letters name it, in full and short (a chart's axis). 'onbekend' (no start date, or an end
    before the start) comes last and is no length of care. dim_duration_band publishes them;
    duration_band_order gives a mart's rows their place, so a BI tool sorts <3m before 3-6m rather
    than alphabetically. -#}
{% macro duration_bands() -%}
{{ return([
    {'band': '<3m', 'label': 'korter dan drie maanden', 'short_label': '< 3 mnd', 'length_of_care': true},
    {'band': '3-6m', 'label': 'drie tot zes maanden', 'short_label': '3-6 mnd', 'length_of_care': true},
    {'band': '6-12m', 'label': 'zes tot twaalf maanden', 'short_label': '6-12 mnd', 'length_of_care': true},
    {'band': '12-24m', 'label': 'een tot twee jaar', 'short_label': '1-2 jaar', 'length_of_care': true},
    {'band': '>=24m', 'label': 'twee jaar of langer', 'short_label': '≥ 2 jaar', 'length_of_care': true},
    {'band': 'onbekend', 'label': 'duur onbekend', 'short_label': 'onbekend', 'length_of_care': false},
]) }}
{%- endmacro %}

{% macro duration_band_order(band) -%}
    list_position([
        {%- for b in duration_bands() %}'{{ b.band }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ], {{ band }})::BIGINT
{%- endmacro %}
