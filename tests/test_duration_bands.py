"""Duration bands are written once (issue 38): macros/duration_bands.sql gives each band the days
it stays below, staging's trajectory_outcomes bands a trajectory with duration_band_of, and every
duration_band column is tested against dim_duration_band instead of a copied list. These tests
hold the limits where they were (<3m below 91 days, 3-6m below 182, 6-12m below 365, 12-24m below
730, >=24m beyond; 'onbekend' without a start or with an end before it) and the columns' tests."""

from __future__ import annotations

import duckdb

from assets.transform import MANIFEST, MODELS, run_dbt
from foundation.warehouse import Warehouse

# days -> the band the hand-written CASE gave them before it was derived from the macro
EXPECTED = {None: "onbekend", -1: "onbekend", 0: "<3m", 90: "<3m", 91: "3-6m", 181: "3-6m", 182: "6-12m",
            364: "6-12m", 365: "12-24m", 729: "12-24m", 730: ">=24m", 5000: ">=24m"}


def test_the_macro_bands_days_at_the_limits_it_had(tmp_path):
    days = ", ".join(f"({'NULL' if d is None else d})" for d in EXPECTED)
    sql = f"SELECT d, {{{{ duration_band_of('d') }}}} AS band FROM (VALUES {days}) AS t(d)"
    invocation = run_dbt(Warehouse(data_dir=str(tmp_path)), "compile", "--inline", sql)
    (result,) = invocation.get_artifact("run_results.json")["results"]
    compiled = result["compiled_code"]
    assert "< 91 THEN '<3m'" in compiled  # the limit comes from the macro
    got = dict(duckdb.connect().execute(compiled).fetchall())
    assert got == EXPECTED


def test_every_duration_band_column_is_tested_against_the_dimension():
    """Every model whose YAML documents a duration_band column, other than the dimension itself and
    staging's case_mix, which selects trajectory_outcomes' band as it is (tested there)."""
    documented = sorted(m for m, node in MODELS.items()
                        if "duration_band" in node["columns"] and m not in {"dim_duration_band", "case_mix"})
    tests = [n for n in MANIFEST["nodes"].values() if n["resource_type"] == "test"
             and n.get("column_name") == "duration_band" and n["name"] == "duration_band_is_documented"]
    assert sorted(MANIFEST["nodes"][t["attached_node"]]["name"] for t in tests) == documented
    assert documented == ["duration_effect", "duration_effect_by_region", "trajectory_outcomes"]
    for t in tests:
        assert t["test_metadata"]["name"] == "relationships"
        assert any(d.endswith(".dim_duration_band") for d in t["depends_on"]["nodes"])
