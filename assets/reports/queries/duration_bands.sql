-- The duration bands of a trajectory as the letters name them (macros/duration_bands.sql), in their
-- natural order; only the bands that are a length of care.
SELECT t.duration_band, t.duration_band_label, t.duration_band_short_label
FROM marts.dim_duration_band AS t
WHERE t.is_length_of_care
ORDER BY t.duration_band_order
