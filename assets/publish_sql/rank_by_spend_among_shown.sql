-- rank_in_municipality among the rows still shown after disclosure control, per municipality and
-- year, the largest spend first: a rank that skipped a hidden row would place it between its
-- neighbours, and so bound its value. Run on every mart whose YAML lists it under
-- meta.after_disclosure_control ({table}).
UPDATE {catalog}.marts.{table} AS t SET rank_in_municipality = r.rank
FROM (SELECT rowid AS rid, rank() OVER (PARTITION BY municipality_code, year ORDER BY spend_eur DESC) AS rank
      FROM {catalog}.marts.{table} WHERE NOT suppressed) AS r
WHERE t.rowid = r.rid
