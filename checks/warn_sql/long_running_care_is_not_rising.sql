-- The municipalities whose trajectories running over 24 months rose in each of the last `months`
-- months up to the data cut-off (a month without a row counts as 0), the steepest rise first.
WITH cutoff AS (SELECT max(month) AS month FROM staging.monthly_flows),
months AS (
    SELECT m.municipality_code, s.month::DATE AS month
    FROM (SELECT DISTINCT municipality_code FROM staging.monthly_flows) AS m, cutoff AS c,
         generate_series(c.month - to_months($months), c.month, INTERVAL 1 MONTH) AS s(month)
),
series AS (
    SELECT m.municipality_code, m.month, coalesce(f.running_over_24m, 0) AS running_over_24m
    FROM months AS m LEFT JOIN staging.monthly_flows AS f USING (municipality_code, month)
),
steps AS (
    SELECT *, running_over_24m - lag(running_over_24m) OVER (PARTITION BY municipality_code ORDER BY month)
                  AS rise
    FROM series
)
SELECT municipality_code,
       strftime(min(month) FILTER (WHERE rise IS NULL), '%Y-%m') AS from_month,
       arg_min(running_over_24m, month) AS running_over_24m_then,
       strftime(max(month), '%Y-%m') AS to_month,
       arg_max(running_over_24m, month) AS running_over_24m_now
FROM steps
GROUP BY municipality_code
HAVING count(*) FILTER (WHERE rise > 0) = $months
ORDER BY running_over_24m_now - running_over_24m_then DESC, municipality_code
