"""A WARN check declared in a model's YAML (meta.warn_checks) is built as the same kind of check as a
Python one: its name, norm and description from the YAML, its query from checks/warn_sql/, its
parameters from the YAML or the Warehouse; and a declaration that does not fit its query stops
the definitions from loading, not the night run."""

import dagster as dg
import pytest

from assets.transform import MODELS
from checks.declared_warn import build_declared_check, declared, declared_warn_checks
from foundation.warehouse import Warehouse
from foundation.warn_checks import is_warn, label
from tests.conftest import table_rows

JUMPS = "no_sudden_spend_jumps"


def model_declaring(check: str) -> tuple[str, dict]:
    """The model whose YAML declares `check`, and that declaration."""
    return next((model, spec) for model, node in MODELS.items()
                for spec in (node["config"].get("meta") or {}).get("warn_checks") or [] if spec["name"] == check)


def test_every_declaration_is_a_warn_check_on_its_model_with_its_norm():
    checks = {c.name: c for c in declared()}
    specs = {s.name: s for d in declared_warn_checks for s in d.check_specs}
    assert set(specs) == set(checks) and len(checks) == len(declared_warn_checks)
    for name, spec in specs.items():
        model, declaration = model_declaring(name)
        assert spec.asset_key == dg.AssetKey(model) and spec.blocking and is_warn(spec.metadata)
        assert label(spec.metadata) == declaration["label_nl"]
        assert spec.description == declaration["description"].format_map(declaration.get("parameters") or {})
        assert "{" not in spec.description  # every placeholder filled


def test_a_parameter_the_query_uses_but_the_yaml_does_not_give_stops_the_load():
    model, declaration = model_declaring(JUMPS)
    without = {**declaration, "settings": {}}
    with pytest.raises(ValueError, match=r"uses the parameters \['factor'\]"):
        declared({model: {"config": {"meta": {"warn_checks": [without]}}}})


def test_a_setting_the_warehouse_does_not_have_stops_the_load():
    model, declaration = model_declaring(JUMPS)
    wrong = {**declaration, "settings": {"factor": "no_such_setting"}}
    with pytest.raises(ValueError, match="no Warehouse setting"):
        declared({model: {"config": {"meta": {"warn_checks": [wrong]}}}})


def test_a_declared_check_reports_its_rows_count_and_parameters(warehouse: Warehouse):
    """The spend-jump check on a working file with one municipality whose spend doubles and a half
    from one month to the next (the factor from the Warehouse, 2.0 by default) and one that stays level."""
    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        con.execute("CREATE SCHEMA IF NOT EXISTS ref")
        # a view, as the staging model makes it (a table of that name is an old working file's, and goes)
        con.execute("CREATE TABLE staging.lines (municipality_code VARCHAR, service_month DATE, "
                    "amount_eur DECIMAL(18, 2))")
        con.execute("CREATE VIEW staging.declaration_lines AS SELECT * FROM staging.lines")
        con.execute("CREATE OR REPLACE TABLE ref.municipalities (municipality_code VARCHAR, municipality_name VARCHAR)")
        con.execute("INSERT INTO ref.municipalities VALUES ('0141', 'Almelo'), ('0153', 'Enschede')")
        con.execute("INSERT INTO staging.lines VALUES ('0141', DATE '2024-01-01', 100), "
                    "('0141', DATE '2024-02-01', 250), ('0153', DATE '2024-01-01', 100), "
                    "('0153', DATE '2024-02-01', 110)")
    (check,) = [build_declared_check(c) for c in declared() if c.name == JUMPS]
    model = next(iter(check.check_specs)).asset_key

    @dg.asset(key=model)
    def stub() -> None: ...

    result = dg.materialize([stub, check], resources={"warehouse": warehouse})
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    _, declaration = model_declaring(JUMPS)
    assert evaluation.metadata[declaration["count"]].value == 1
    assert evaluation.metadata["factor"].value == warehouse.spend_jump_factor
    rows = table_rows(evaluation.metadata[declaration["rows"]].value)
    assert [r[:3] for r in rows] == [["0141", "Almelo", "2024-02-01"]]
    assert evaluation.metadata["what_to_do"].value == declaration["what_to_do"]
