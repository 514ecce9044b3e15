{#- The duration bands of a trajectory (days from start to end), written once: in their natural
    order (1 = shortest), each with the days it stays below (`below_days`: the band holds what no
    shorter band holds and lasts fewer days; the longest band has no limit), and how the council
    letters name it, in full and short (a chart's axis). 'onbekend' (no start date, or an end before
    the start) comes last and is no length of care. duration_band_of gives staging's
    trajectory_outcomes a trajectory's band from these limits; dim_duration_band publishes them, and
    every duration_band column is tested against it; duration_band_order gives a mart's rows their
    place, so a BI tool sorts <3m before 3-6m rather than alphabetically. -#}
{% macro duration_bands() -%}
{{ return([
    {'band': '<3m', 'below_days': 91, 'label': 'korter dan drie maanden', 'short_label': '< 3 mnd', 'length_of_care': true},
    {'band': '3-6m', 'below_days': 182, 'label': 'drie tot zes maanden', 'short_label': '3-6 mnd', 'length_of_care': true},
    {'band': '6-12m', 'below_days': 365, 'label': 'zes tot twaalf maanden', 'short_label': '6-12 mnd', 'length_of_care': true},
    {'band': '12-24m', 'below_days': 730, 'label': 'een tot twee jaar', 'short_label': '1-2 jaar', 'length_of_care': true},
    {'band': '>=24m', 'below_days': none, 'label': 'twee jaar of langer', 'short_label': '≥ 2 jaar', 'length_of_care': true},
    {'band': 'onbekend', 'below_days': none, 'label': 'duur onbekend', 'short_label': 'onbekend', 'length_of_care': false},
]) }}
{%- endmacro %}

{% macro duration_band_order(band) -%}
    list_position([
        {%- for b in duration_bands() %}'{{ b.band }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ], {{ band }})::BIGINT
{%- endmacro %}

{#- The band of a duration in days, from the limits of duration_bands: the first band whose limit it
    stays below, else the longest; no duration, or a negative one (an end before the start), is not
    known, not the longest band. -#}
{% macro duration_band_of(days) -%}
    {%- set lengths = duration_bands() | selectattr('length_of_care') | list -%}
    {%- set unknown = duration_bands() | rejectattr('length_of_care') | first -%}
    CASE WHEN {{ days }} IS NULL OR {{ days }} < 0 THEN '{{ unknown.band }}'
    {%- for b in lengths if b.below_days is not none %}
         WHEN {{ days }} < {{ b.below_days }} THEN '{{ b.band }}'
    {%- endfor %}
         ELSE '{{ (lengths | last).band }}' END
{%- endmacro %}
