-- The breakdowns of a municipality's spend that spend_not_shown labels, as the letters name them.
SELECT t.table_name, t.breakdown_label
FROM marts.dim_spend_breakdown AS t
ORDER BY t.table_name
