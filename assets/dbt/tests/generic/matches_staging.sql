{#- A published measure per municipality and year equals a recomputation from staging: every cell
    that is not suppressed carries exactly the staged figure, a suppressed one carries nothing, and
    neither side has a municipality-year the other lacks. Catches a mart that drifted from the data
    it summarises, before the BI file is replaced.

    staged: the staging relation; staged_year: its year expression; staged_measure: the aggregate
    that the published `measure` must equal. -#}
{% test matches_staging(model, measure, staged, staged_year, staged_measure) %}
WITH staged AS (
    SELECT municipality_code, {{ staged_year }} AS year, {{ staged_measure }} AS staged
    FROM {{ staged }}
    GROUP BY ALL
)
SELECT
    coalesce(m.municipality_code, s.municipality_code) AS municipality_code,
    coalesce(m.year, s.year) AS year,
    m.{{ measure }} AS published,
    s.staged,
    m.suppressed
FROM {{ model }} AS m
FULL OUTER JOIN staged AS s USING (municipality_code, year)
WHERE m.municipality_code IS NULL OR s.municipality_code IS NULL
   OR (NOT m.suppressed AND m.{{ measure }} IS DISTINCT FROM s.staged)
   OR (m.suppressed AND m.{{ measure }} IS NOT NULL)
{% endtest %}
