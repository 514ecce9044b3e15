"""Data-quality checks: SQL rules and Great Expectations suites, surfaced as Dagster asset checks."""
