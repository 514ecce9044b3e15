-- Grain: one row per duration band of a trajectory (macros/duration_bands.sql): its place in the
-- natural order, how the council letters name it, and whether it is a length of care.
{% for b in duration_bands() %}
SELECT
    '{{ b.band }}' AS duration_band,
    {{ loop.index }}::BIGINT AS duration_band_order,
    '{{ b.label }}' AS duration_band_label,
    '{{ b.short_label }}' AS duration_band_short_label,
    {{ b.length_of_care }}::BOOLEAN AS is_length_of_care
{% if not loop.last %}UNION ALL{% endif %}
{%- endfor %}
ORDER BY duration_band_order
