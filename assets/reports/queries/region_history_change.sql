-- The change of the region's totals (region_history.sql's rule) from its first year in the file to
-- the letter's year, in % of the first.
WITH members AS (
    SELECT count(DISTINCT g.municipality_code) AS n
    FROM marts.cost_by_municipality_year AS g
    WHERE g.youth_care_region = $region
),
totals AS (
    SELECT
        t.year,
        CASE WHEN count(*) = count(t.spend_eur) AND count(DISTINCT t.municipality_code) = (SELECT n FROM members)
             THEN sum(t.spend_eur) END AS spend_eur,
        CASE WHEN count(*) = count(t.youth_population)
                  AND count(DISTINCT t.municipality_code) = (SELECT n FROM members)
             THEN sum(t.youth_population) END AS youth_population
    FROM marts.cost_by_municipality_year AS t
    WHERE t.youth_care_region = $region
    GROUP BY t.year
),
ends AS (
    SELECT
        (SELECT spend_eur FROM totals WHERE year = $year) AS spend_now,
        (SELECT spend_eur FROM totals WHERE year = $first) AS spend_first,
        (SELECT youth_population FROM totals WHERE year = $year) AS youth_now,
        (SELECT youth_population FROM totals WHERE year = $first) AS youth_first
)
SELECT
    100.0 * (spend_now - spend_first) / nullif(spend_first, 0) AS spend_eur,
    100.0 * (youth_now - youth_first) / nullif(youth_first, 0) AS youth_population,
    100.0 * (spend_now / nullif(youth_now, 0) - spend_first / nullif(youth_first, 0))
        / nullif(spend_first / nullif(youth_first, 0), 0) AS spend_per_youth_eur
FROM ends
