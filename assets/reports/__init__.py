"""Council reports (raadsinformatiebrieven): one PDF per municipality and per youth-care region,
made only from the published file. See docs/council_reports.md."""
