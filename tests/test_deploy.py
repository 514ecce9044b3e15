"""deploy/helm/values.yaml (the Dagster Helm chart's values for platform mode; issue 40, docs/platform.md)
against the project's own names: the run queue's limits are deploy/dagster_platform.yaml's, the
environment variables are the ones foundation/settings.py and the instance read, and no credential is
written in either file. The chart itself is not installed here; this keeps the paper from drifting."""

from __future__ import annotations

import re
from typing import Any

import yaml

from foundation.settings import REPO_ROOT, Settings, load_settings
from pipelines.platform import (
    HELM_VALUES_YAML,
    INSTANCE_DATABASE_ENV,
    INSTANCE_DATABASE_SCHEME,
    PLATFORM_INSTANCE_YAML,
    REGION_RUN_TAG,
)

# the chart's instance template reads the password from this variable, which it fills from
# global.postgresqlSecretName's key postgresql-password (helm/dagster/templates/helpers/instance/_postgresql.tpl)
CHART_PASSWORD_ENV = "DAGSTER_PG_PASSWORD"


def helm_values() -> dict[str, Any]:
    return yaml.safe_load(HELM_VALUES_YAML.read_text(encoding="utf-8"))


def platform_instance() -> dict[str, Any]:
    return yaml.safe_load(PLATFORM_INSTANCE_YAML.read_text(encoding="utf-8"))


def code_location() -> dict[str, Any]:
    [deployment] = helm_values()["dagster-user-deployments"]["deployments"]
    return deployment


class RecordingEnvironment(dict):
    """An environment that notes every name read from it: the settings load_settings knows."""

    def __init__(self, values: dict[str, str]):
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, name, default=None):
        self.read.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)


def settings_names() -> set[str]:
    environment = RecordingEnvironment({})
    load_settings(environment)
    return environment.read


def test_the_run_queue_limits_are_the_platform_instances():
    instance_queue = platform_instance()["run_coordinator"]
    chart = helm_values()["dagsterDaemon"]["runCoordinator"]
    assert instance_queue["class"] == chart["type"] == "QueuedRunCoordinator"
    assert chart["enabled"] and helm_values()["dagsterDaemon"]["enabled"]
    chart_queue = chart["config"]["queuedRunCoordinator"]
    assert chart_queue["maxConcurrentRuns"] == instance_queue["config"]["max_concurrent_runs"]
    assert chart_queue["tagConcurrencyLimits"] == instance_queue["config"]["tag_concurrency_limits"] == [
        {"key": REGION_RUN_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]


def test_the_instance_database_settings_agree():
    database = platform_instance()["storage"]["postgres"]["postgres_db"]
    assert database.pop("scheme") == helm_values()["postgresql"]["postgresqlScheme"] == INSTANCE_DATABASE_SCHEME
    # every other field comes from the environment, under the names pipelines/platform.py gives
    assert database == {field: {"env": name} for field, name in INSTANCE_DATABASE_ENV.items()}
    assert INSTANCE_DATABASE_ENV["password"] == CHART_PASSWORD_ENV
    values = helm_values()
    assert values["generatePostgresqlPasswordSecret"] is False  # the Secret is made outside the chart
    assert values["global"]["postgresqlSecretName"]
    assert values["postgresql"]["enabled"] is False  # an existing server, not one the chart starts


def test_no_credential_is_written_in_the_deploy_files():
    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}[{i}]")
        else:
            yield path, node

    for document in (helm_values(), platform_instance()):
        for path, value in walk(document):
            if re.search(r"password|secret_?key|access_?key|pseudonym_?key", path, re.IGNORECASE) and \
                    not isinstance(value, bool):  # generatePostgresqlPasswordSecret: false is a switch
                # a password field may only name the environment variable that holds it
                assert path.endswith(".env") and re.fullmatch(r"[A-Z_]+", value), path
            assert not re.search(r"password\s*=|://[^/@\s]*:[^/@\s]*@", str(value), re.IGNORECASE), path


def test_the_code_locations_settings_are_the_projects():
    deployment = code_location()
    environment = {variable["name"]: variable["value"] for variable in deployment["env"]}
    # the Secret's keys, as the header's kubectl line creates them
    secret_keys = set(re.findall(r"--from-literal=([A-Z_]+)=", HELM_VALUES_YAML.read_text(encoding="utf-8")))
    assert secret_keys == {"PGPASSWORD", "JEUGDZORG_PSEUDONYM_KEY"}
    known = settings_names()
    assert {"JEUGDZORG_LAKE_CATALOG", "JEUGDZORG_LAKE_DATA_PATH"} <= set(environment)
    assert {name for name in [*environment, *secret_keys] if name.startswith("JEUGDZORG_")} <= known
    # and load_settings accepts them: production, a key from the Secret, the lake's pair, no password in it
    settings: Settings = load_settings({**environment, "JEUGDZORG_PSEUDONYM_KEY": "from-the-secret"})
    assert (settings.env, settings.using_demo_key) == ("production", False)
    assert (settings.lake_catalog, settings.lake_data_path) == (
        environment["JEUGDZORG_LAKE_CATALOG"], environment["JEUGDZORG_LAKE_DATA_PATH"])
    assert deployment["envSecrets"] == [{"name": "jeugdzorg-pipeline-secrets"}]
    assert "jeugdzorg-pipeline-secrets" in HELM_VALUES_YAML.read_text(encoding="utf-8").split("helm upgrade")[0]


def test_the_code_server_loads_the_workspaces_module():
    deployment = code_location()
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    [location] = workspace["load_from"]
    assert deployment["codeServerArgs"] == ["-m", location["python_module"]["module_name"]]
    assert "dagsterApiGrpcArgs" not in deployment  # the chart takes one of the two
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}  # settings and Secret reach run pods
    assert "resources" not in deployment  # they would go to the run pods as well


def test_every_run_gets_its_own_pod_with_room_for_a_refresh():
    launcher = helm_values()["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher"
    resources = launcher["config"]["k8sRunLauncher"]["resources"]

    def gib(quantity: str) -> float:
        return float(quantity.removesuffix("Gi"))

    # docs/benchmark.md: five national years peaked at 2,748 MB (3.13 GB with DuckDB's limit at 2 GB)
    assert gib(resources["requests"]["memory"]) * 1024**3 > 2_748 * 1000**2
    assert gib(resources["limits"]["memory"]) * 1024**3 > 3.13 * 1000**3
