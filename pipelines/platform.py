"""Names the platform mode's Dagster instance is built on (issue 40;
docs/platform.md, "Beyond one machine"). The instance itself is deploy/dagster_platform.yaml
(PostgreSQL storage, the queued run coordinator); deploy/helm/values.yaml runs the same on
Kubernetes. tests/test_platform_instance.py loads the instance on a real PostgreSQL,
tests/test_deploy.py keeps the Helm values in step.
"""

from __future__ import annotations

from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy"
PLATFORM_INSTANCE_YAML = DEPLOY_DIR / "dagster_platform.yaml"
HELM_VALUES_YAML = DEPLOY_DIR / "helm" / "values.yaml"

# The run tag that names a run's youth-care region: the run queue starts at most one run per value
# (deploy/dagster_platform.yaml's tag_concurrency_limits), so a region's partition has one writer.
# Nothing sets it yet: the per-region partitions that will are not built (docs/platform.md).
REGION_RUN_TAG = "jeugdzorg/region"

# Where the instance's PostgreSQL login comes from: environment variables, never the yaml. The
# Helm chart fills DAGSTER_PG_PASSWORD (and DAGSTER_PG_USERNAME) from its Secret under these names.
INSTANCE_DATABASE_ENV = {
    "hostname": "DAGSTER_PG_HOST",
    "port": "DAGSTER_PG_PORT",
    "db_name": "DAGSTER_PG_DB",
    "username": "DAGSTER_PG_USERNAME",
    "password": "DAGSTER_PG_PASSWORD",
}
# SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3; dagster-postgres brings psycopg2
INSTANCE_DATABASE_SCHEME = "postgresql+psycopg2"
