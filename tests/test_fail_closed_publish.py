"""Disclosure control fails closed: a mart is published only when its YAML declares every column.

The "Adding an indicator" example of docs/adding_an_indicator.md (spend and clients per youth-care
region) is added to a copy of the project, exactly as that page writes it, and the whole refresh
runs on the adversarial fixture of test_disclosure.py (k = 10; Enschede, in Twente, has 2 clients). Declared,
the region's spend is a sum of its municipalities' and would give Enschede's hidden spend back
beside Almelo's and Hengelo's: the publish step protects it. Without its declarations the same
mart stops the publish, naming the columns, and the BI file stays byte for byte.

The copy runs in a subprocess: the marts, and so the attacker's model of the file, come from
the dbt manifest of the project a process loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import TEST_KEY
from tests.test_adding_an_indicator import MODEL, readme_files
from tests.test_disclosure import build

ROOT = Path(__file__).parent.parent
RUN = f"""
import json, sys
import dagster as dg
from assets.publish import baseline_of, recoverable_cells
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS

warehouse = Warehouse(data_dir=sys.argv[1], pseudonym_key={TEST_KEY!r}, min_cell_size=10)
result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={{"warehouse": warehouse}}, raise_on_error=False)
published = warehouse.published_db
print(json.dumps({{
    "materialized": sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events()),
    "failures": [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure],
    "leaks": len(recoverable_cells(str(published), base=baseline_of(warehouse))) if published.exists() else None,
}}))
"""


def refresh(project: Path, data: Path) -> dict:
    """The whole refresh of the project copy on `data`, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    done = subprocess.run([sys.executable, "-c", RUN, str(data)], cwd=project, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path, dict]:
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("target", "logs", "__pycache__")
    for package in ("foundation", "assets", "pipelines", "checks"):
        shutil.copytree(ROOT / package, copy / package, ignore=ignore)
    for name, text in readme_files().items():
        (copy / "assets/dbt/models/marts" / name).write_text(text)
    data = tmp_path_factory.mktemp("data")
    build(data)
    return copy, data, refresh(copy, data)


def test_a_declared_mart_is_published_protected(project):
    _, data, run = project
    assert "published_warehouse" in run["materialized"], run["failures"]
    assert run["leaks"] == 0
    with duckdb.connect(str(data / "warehouse/pipeline.duckdb"), read_only=True) as con:
        # as the models built it: Twente shown, Enschede hidden, Almelo and Hengelo shown
        twente = con.execute(f"SELECT spend_eur FROM marts.{MODEL} WHERE youth_care_region = 'Twente' "
                             "AND year = 2024").fetchone()[0]
        hidden = con.execute("SELECT list(municipality_code ORDER BY 1) FROM marts.cost_by_municipality_year "
                             "WHERE year = 2024 AND suppressed").fetchone()[0]
    assert twente is not None and hidden == ["0153"]
    with duckdb.connect(str(data / "warehouse/jeugdzorg.duckdb"), read_only=True) as con:
        region = con.execute(f"SELECT spend_eur FROM marts.{MODEL} WHERE youth_care_region = 'Twente' "
                             "AND year = 2024").fetchone()[0]
        shown = con.execute("SELECT sum(spend_eur), count(*) FILTER (WHERE suppressed) "
                            "FROM marts.cost_by_municipality_year WHERE year = 2024 AND youth_care_region = 'Twente'"
                            ).fetchone()
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    # the region total less the municipalities shown is no longer one municipality's spend
    assert region is None or shown[1] >= 2
    # the per-file tables name provider-months with their line counts: kept out of the BI file
    assert MODEL in tables and "data_quality_summary" in tables
    assert not tables & {"data_quality", "data_quality_rules"}


def test_an_undeclared_mart_stops_the_publish_and_the_file_stays(project):
    copy, data, _ = project
    published = data / "warehouse/jeugdzorg.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    yml = copy / "assets/dbt/models/marts" / f"{MODEL}.yml"
    text = yml.read_text()
    undeclared = text.replace("          disclosure:\n            protect: [{quantity: spend}]\n", "")
    assert undeclared != text
    yml.write_text(undeclared)
    run = refresh(copy, data)
    assert "publication_candidate" not in run["materialized"] and "published_warehouse" not in run["materialized"]
    assert any(f"{MODEL}.spend_eur" in failure and "no disclosure declaration" in failure
               for failure in run["failures"]), run["failures"]
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
