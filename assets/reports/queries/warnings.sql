-- The WARN checks when the file was published: how many there are, how many did not pass, and how
-- many never ran.
SELECT
    count(*) AS checks,
    count(*) FILTER (WHERE NOT t.passed) AS failing,
    count(*) FILTER (WHERE t.passed IS NULL) AS never_run
FROM marts.quality_warnings AS t
