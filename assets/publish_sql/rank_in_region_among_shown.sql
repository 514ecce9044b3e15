-- region_rank (lowest value first) and region_municipalities among the municipalities whose row is
-- still shown after disclosure control, per region, year and measure: a rank that skipped a hidden
-- row would place it between its neighbours, and so bound its value. Run on every mart whose YAML
-- lists it under meta.after_disclosure_control ({table}).
UPDATE {catalog}.marts.{table} AS t SET region_rank = r.rank, region_municipalities = r.ranked
FROM (SELECT rowid AS rid,
             CASE WHEN NOT suppressed THEN rank() OVER (
                 PARTITION BY youth_care_region, year, measure, suppressed ORDER BY municipality_value) END
                 AS rank,
             count(*) FILTER (WHERE NOT suppressed) OVER (PARTITION BY youth_care_region, year, measure)
                 AS ranked
      FROM {catalog}.marts.{table}) AS r
WHERE t.rowid = r.rid
