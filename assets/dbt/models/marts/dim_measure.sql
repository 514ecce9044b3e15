-- Grain: one row per measure of region_benchmark: its Dutch label (and the council letters' plain
-- one, with the format they print it in), what its numerator and denominator count, which direction
-- is better, and the order to show them in.
{% for m in benchmark_measures() %}
SELECT
    '{{ m.measure }}' AS measure,
    '{{ m.label }}' AS measure_label,
    '{{ m.group }}' AS measure_group,
    -- the letters' words: NULL where a measure does not declare them, which the YAML's not_null stops
    {{ "'" ~ m.letter_label ~ "'" if m.letter_label else 'NULL' }}::VARCHAR AS letter_label,
    {{ "'" ~ m.letter_format ~ "'" if m.letter_format else 'NULL' }}::VARCHAR AS letter_format,
    {{ "'" ~ m.letter_short ~ "'" if m.letter_short else 'NULL' }}::VARCHAR AS letter_short,
    '{{ m.numerator }}' AS numerator,
    '{{ m.denominator }}' AS denominator,
    {{ m.scale }}::INTEGER AS scale,
    {{ 'NULL' if m.higher_is_better is none else m.higher_is_better }}::BOOLEAN AS higher_is_better,
    'jaar van {{ m.year_of }}' AS year_means,
    {{ loop.index }}::BIGINT AS sort_order
{% if not loop.last %}UNION ALL{% endif %}
{%- endfor %}
ORDER BY sort_order
