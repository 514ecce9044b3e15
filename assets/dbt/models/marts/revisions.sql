-- Grain: one row per municipality, period (a year, or a month) and headline measure (spend,
-- clients, ended trajectories): how the figure moved between the publication that first reported
-- the period and this one (the Almere audit: backdated declarations and credits change recent
-- periods after the council has seen them). It is empty here: the publish step fills it on the
-- file to be published (assets/publish.py), after disclosure control, from published cells only:
-- the kept earlier publications (warehouse/publications/) and this file's own. A value hidden in a
-- publication is empty here too, and so is the change beside it.
SELECT
    NULL::VARCHAR AS municipality_code,
    NULL::VARCHAR AS period,
    NULL::VARCHAR AS figure,
    NULL::VARCHAR AS period_kind,
    NULL::INTEGER AS year,
    NULL::DATE AS month,
    NULL::VARCHAR AS source_table,
    NULL::BIGINT AS first_version,
    NULL::TIMESTAMP AS first_published_at,
    NULL::DECIMAL(18, 2) AS value_first,
    NULL::BIGINT AS version_now,
    NULL::DECIMAL(18, 2) AS value_now,
    NULL::DECIMAL(18, 2) AS value_change,
    NULL::BOOLEAN AS provisional
WHERE false
