-- The norm of each WARN check that did not pass when the file was published.
SELECT t.norm
FROM marts.quality_warnings AS t
WHERE NOT t.passed
ORDER BY t.asset, t.check_name
