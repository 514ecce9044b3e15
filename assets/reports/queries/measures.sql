-- The benchmark's measures as the letters name and print them (macros/benchmark_measures.sql).
SELECT t.measure, t.measure_group, t.letter_label, t.letter_short, t.letter_format, t.sort_order
FROM marts.dim_measure AS t
ORDER BY t.sort_order
