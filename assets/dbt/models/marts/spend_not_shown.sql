-- Grain: one row per table that breaks a municipality's yearly spend down (by month, product
-- category, provider or product code), municipality and year: the labelled remainder that
-- disclosure control leaves. A BI user who adds up a breakdown gets less than
-- cost_by_municipality_year because suppressed rows show no spend; this table says how much is
-- not shown in that breakdown and in how many rows, so the totals agree again. It is empty here:
-- disclosure control fills it on the file to be published (assets/publish.py), after the last
-- cell has been hidden; the remainder is the year total less the visible rows, so it tells no
-- more than the file already does.
SELECT
    NULL::VARCHAR AS table_name,
    NULL::VARCHAR AS municipality_code,
    NULL::INTEGER AS year,
    NULL::DECIMAL(18, 2) AS spend_eur,
    NULL::DECIMAL(18, 2) AS spend_shown_eur,
    NULL::DECIMAL(18, 2) AS spend_not_shown_eur,
    NULL::BIGINT AS rows_shown,
    NULL::BIGINT AS rows_not_shown
WHERE false
