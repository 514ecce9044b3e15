-- key: year
-- The region's yearly totals, every year up to the letter's. A total is empty unless every member
-- of the region has the value that year: a sum over a hidden cell would reveal it, and one without a
-- member (its data start later, its population is not known) would be a total of less than the
-- region. `hidden` and `complete` say which it was.
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
             THEN sum(t.youth_population) END AS youth_population,
        bool_or(t.suppressed) AS hidden,
        count(DISTINCT t.municipality_code) = (SELECT n FROM members) AS complete
    FROM marts.cost_by_municipality_year AS t
    WHERE t.youth_care_region = $region
    GROUP BY t.year
)
SELECT
    year, spend_eur, youth_population, spend_eur / nullif(youth_population, 0) AS spend_per_youth_eur, hidden,
    complete,
    false AS suppressed
FROM totals
WHERE year <= $year
ORDER BY year
