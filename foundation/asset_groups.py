"""The Dagster asset groups, in pipeline order.

The UI lists groups by name, in the graph and in the catalog, so each name starts with its place in
the pipeline: a team reads ingest, staging, marts, publish and the letters in the order the night
runs them, and the pipeline's own health after them.
"""

INGEST = "1_ingest"
STAGING = "2_staging"
MARTS = "3_marts"
PUBLISH = "4_publish"
REPORTS = "5_reports"
OPERATIONS = "6_operations"
# a dbt model's group, by its folder under models/
LAYERS = {"staging": STAGING, "marts": MARTS}
