"""The dbt manifest follows the project's files: a deleted model leaves it at the next load."""

import json
import shutil

from dagster_dbt import DbtProject

from assets.transform import DBT_DIR, ensure_manifest


def models(manifest) -> set[str]:
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {n["name"] for n in nodes if n["resource_type"] == "model"}


def test_a_deleted_model_leaves_the_manifest(tmp_path):
    project_dir = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    project = DbtProject(project_dir=project_dir)
    assert "quality_warnings" in models(ensure_manifest(project))
    # deleting files makes no file newer than the manifest: only the set of files says it changed
    for suffix in (".sql", ".yml"):
        (project_dir / "models" / "marts" / f"quality_warnings{suffix}").unlink()
    assert "quality_warnings" not in models(ensure_manifest(project))
    assert "about" in models(project.manifest_path)
