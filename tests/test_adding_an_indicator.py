"""docs/adding_an_indicator.md's "Adding an indicator", followed word for word: one .sql and one .yml, nothing else."""

import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtProject, dbt_assets

from assets.ingest.assets import raw_declarations, reference_data
from assets.transform import DBT_DIR, TRANSLATOR, ensure_manifest, run_dbt
from foundation.asset_groups import MARTS
from tests.conftest import write_declarations

README = (Path(__file__).parent.parent / "docs" / "adding_an_indicator.md").read_text()
MODEL = "spend_by_region_year"


def readme_files() -> dict[str, str]:
    """The two files of the worked example, taken from the code blocks of docs/adding_an_indicator.md."""
    section = README.split("## Adding an indicator", 1)[1].split("\n## ", 1)[0]
    blocks = dict(re.findall(r"`assets/dbt/models/marts/(\S+)`:\n\n```\w+\n(.*?)```", section, re.S))
    assert set(blocks) == {f"{MODEL}.sql", f"{MODEL}.yml"}
    return blocks


def test_the_readme_example_becomes_a_checked_asset_and_a_labelled_table(tmp_path, warehouse, data_dir):
    project_dir = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    for name, text in readme_files().items():
        (project_dir / "models" / "marts" / name).write_text(text)
    project = DbtProject(project_dir=project_dir)
    manifest = ensure_manifest(project)

    @dbt_assets(manifest=manifest, project=project, select="path:models/marts", dagster_dbt_translator=TRANSLATOR)
    def marts(): ...

    key = dg.AssetKey(MODEL)
    spec = next(s for s in marts.specs if s.key == key)
    assert spec.group_name == MARTS
    # it reads reference data too, which reaches it through declaration_lines (assets/transform.py)
    assert {d.asset_key for d in spec.deps} == {dg.AssetKey("declaration_lines")}
    assert "Twente audit" in spec.description and "Uitgaven en cliënten per jeugdzorgregio" in spec.description
    checks = {c.name for c in marts.check_specs if c.asset_key == key}
    assert "unique_key_spend_by_region_year_youth_care_region__year" in checks
    assert {"not_null_spend_by_region_year_suppressed", "not_null_spend_by_region_year_year"} <= checks

    # two clients in Almelo (Twente) in 2024, one of them credited back in full: k = 1
    write_declarations(data_dir / "raw/declarations/a.csv", [
        {"referentienummer": "R1"}, {"referentienummer": "R2", "bsn": "123456782"},
        {"referentienummer": "C2", "bsn": "123456782", "vorig_referentienummer": "R2", "debet_credit": "C"},
        {"referentienummer": "R3", "gemeentecode": "0034", "product_begindatum": "2023-05-01",
         "product_einddatum": "2023-05-31"}])
    assert dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse}).success
    run_dbt(warehouse, "build", "--select", f"+{MODEL}", project=project)
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        rows = con.execute(f"SELECT youth_care_region, year, spend_eur::VARCHAR, clients, suppressed "
                           f"FROM marts.{MODEL}").fetchall()
        comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = ? AND column_name = 'clients'",
                              [MODEL]).fetchone()[0]
    assert rows == [("Flevoland", 2023, "50.00", 1, False), ("Twente", 2024, "50.00", 1, False)]
    assert comment.startswith("Cliënten: unieke jeugdigen")
