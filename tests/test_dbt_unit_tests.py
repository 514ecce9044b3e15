"""The dbt unit tests (issue 38): the arithmetic of the models, checked on hand-made rows.

The unit tests live beside their models (assets/dbt/models/**/*_unit_tests.yml), each with rows in
and the rows a person computed from the model's definition out. dbt needs every input relation of
a tested model to exist, to learn its column types: this test makes a throwaway working file with
the pipeline's schema (create_schema, at the Warehouse's first connection) and the reference
tables, builds the tested models' ancestors empty (`dbt run --empty`), runs
`dbt test --select test_type:unit`, and asserts that every unit test the YAML declares ran and
passed, so a test dbt silently skipped fails here too. dbt runs the way the pipeline runs it
(assets/transform.py run_dbt), with its artifacts and log under tmp_path.
"""

from __future__ import annotations

import json
import re

import yaml

from assets.ingest.reference import load_reference
from assets.transform import DBT_DIR, artifacts_dir, run_dbt
from foundation.warehouse import Warehouse

ANSI = r"\x1b\[[0-9;]*m"  # dbt colours the diff of a failing unit test


def declared_unit_tests() -> list[str]:
    """The names of the unit tests every YAML file of the dbt project declares."""
    names: list[str] = []
    for path in sorted((DBT_DIR / "models").rglob("*.yml")):
        names += [test["name"] for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []]
    return names


def test_every_declared_unit_test_passes(warehouse: Warehouse) -> None:
    declared = declared_unit_tests()
    assert len(declared) >= 12, f"the unit tests of issue 38 are gone: {sorted(declared)}"

    with warehouse.connect() as con:  # the raw and registry tables (create_schema), then ref.*
        load_reference(con, warehouse.raw_dir)
    # every model a unit test reads from exists, empty: its ancestors and the tested model itself
    run_dbt(warehouse, "run", "--empty", "--select", "+test_type:unit")

    failed = None
    try:
        run_dbt(warehouse, "test", "--select", "test_type:unit")
    except RuntimeError as exc:  # still read the results below, to name each failing test
        failed = exc
    results = json.loads((artifacts_dir(warehouse, "cli") / "run_results.json").read_text())["results"]
    units = {r["unique_id"].rsplit(".", 1)[-1]: r for r in results if r["unique_id"].startswith("unit_test.")}

    bad = {name: f"{r['status']}: {re.sub(ANSI, '', r.get('message') or '').strip()}" for name, r in units.items()
           if r["status"] != "pass"}
    assert not bad, "unit tests not passing:\n" + "\n".join(f"{n}: {m}" for n, m in bad.items())
    assert failed is None, str(failed)
    ran = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(ran) == len(declared) and set(units) == set(declared), (
        f"{len(ran)} unit tests ran, {len(declared)} declared; not run: {sorted(set(declared) - set(units))}")


def test_unit_tests_sit_in_their_own_files() -> None:
    """Each model's unit tests are in <model>_unit_tests.yml beside it, apart from its own YAML."""
    for path in (DBT_DIR / "models").rglob("*.yml"):
        doc = yaml.safe_load(path.read_text()) or {}
        if doc.get("unit_tests"):
            assert path.name.endswith("_unit_tests.yml"), path
            assert {t["model"] for t in doc["unit_tests"]} == {path.name.removesuffix("_unit_tests.yml")}, path
            assert (path.parent / f"{path.name.removesuffix('_unit_tests.yml')}.sql").exists(), path

