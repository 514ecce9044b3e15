-- Grain: one row per WARN check. Its latest verdict as it stood when the file was published: a
-- view, not a table, because the publish step rewrites registry.warn_verdicts from the Dagster
-- instance after the marts are built and just before it copies them (assets/publish.py); a table
-- built with the other marts would hold the verdicts of the night before.
{{ config(materialized='view') }}
SELECT check_name, asset, label_nl AS norm, passed, evaluated_at, run_id
FROM {{ source('registry', 'warn_verdicts') }}
ORDER BY asset, check_name
