"""Blocking checks stop the marts and keep the previous BI file; clean data passes them."""

import hashlib
import json
import re

import dagster as dg
import duckdb
import pytest

from assets.transform import MART_KEYS, artifacts_dir, models_in, run_dbt, staged_sql
from foundation.warn_checks import is_warn
from pipelines.alerts import PUBLISHED_TAG, mark_publication, step_failures
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS, DBT_MODELS
from pipelines.refresh import checks_not_passed
from tests.conftest import BASE_LINE, table_rows, write_declarations
from tests.test_declaration_ingest import ingest


def refresh(warehouse, instance: dg.DagsterInstance | None = None):
    return dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}, raise_on_error=False,
                          instance=instance)


def not_passed(result) -> str:
    return checks_not_passed(result.get_asset_check_evaluations())


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def checks(result) -> dict:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_spend(warehouse):
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        return con.execute("SELECT sum(spend_eur) FROM marts.cost_trends_by_municipality").fetchone()[0]


def test_clean_data_passes_every_blocking_check(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}, {"referentienummer": "R2", "bsn": "123456782"}])
    result = refresh(warehouse)
    assert result.success
    # every blocking check of the job, Python and dbt alike, was evaluated, and passed; a WARN check is
    # blocking only so that the publish waits for its verdict
    specs = [s for a in [*ALL_ASSETS, *ALL_CHECKS] for s in a.check_specs]
    blocking = {s.name for s in specs if s.blocking and not is_warn(s.metadata or {})}
    evaluated = checks(result)
    assert blocking <= set(evaluated) and all(evaluated[name].passed for name in blocking)
    # the published file holds the verdict of every WARN check of what it is built from, as of this run
    warn = {(s.asset_key.to_user_string(), s.name) for s in specs
            if is_warn(s.metadata or {}) and s.asset_key != dg.AssetKey("published_warehouse")}
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        verdicts = con.execute("SELECT asset, check_name, passed, run_id FROM marts.quality_warnings").fetchall()
    assert {(a, c) for a, c, _p, _r in verdicts} == warn and len(warn) >= 20
    assert {r for *_x, r in verdicts} == {result.run_id}
    assert sorted(c for _a, c, passed, _r in verdicts if not passed) == ["financials_are_complete",
                                                                        "population_is_complete"]
    assert "published_warehouse" in materialized(result)
    # no population or financials in the reference data, and March 2024 is long ago: only those WARN
    # checks speak up
    assert not_passed(result).splitlines()[1:] == ["  WARN   cost_by_municipality_year / population_is_complete",
                                                   "  WARN   provider_performance / financials_are_complete",
                                                   "  WARN   published_warehouse / published_data_is_recent"]


def test_failed_gx_suite_stops_marts_and_keeps_the_bi_file(warehouse, data_dir, monkeypatch):
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(data_dir))  # (where the alert goes)
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    with dg.DagsterInstance.ephemeral() as instance:
        first = refresh(warehouse, instance)
        again = refresh(warehouse, instance)  # nothing new: it stops after ingestion, on purpose
        # each green run says what it did to the BI file, and neither is alerted
        assert first.success and mark_publication(instance, first.run_id) is None
        assert again.success and mark_publication(instance, again.run_id) is None
        assert [instance.get_run_by_id(r.run_id).tags[PUBLISHED_TAG] for r in (first, again)] == ["yes", "unchanged"]
    # the contract was judged in the dbt step, before dbt started, on the rows the model was about to hold
    assert checks(first)["declaration_lines_meet_contract"].passed
    before, digest = published_spend(warehouse), file_digest(warehouse.published_db)
    # The row rules quarantine everything the suite would refuse, so only a row loaded under older
    # rules (before D11 bounded the dates) can reach it: made here by moving a loaded row to 2014.
    write_declarations(data_dir / "raw/declarations/b.csv", [{"referentienummer": "OLD"}])
    ingest(warehouse)
    with warehouse.connect() as con:
        con.execute("UPDATE raw.declaration_rows SET period_start = DATE '2014-03-01', period_end = DATE '2014-03-31' "
                    "WHERE reference_number = 'OLD'")
    with dg.DagsterInstance.ephemeral() as instance:
        result = refresh(warehouse, instance)
        # the failed blocking check fails the run; its alert gives the check's own words, not Dagster's wrapper
        assert not result.success
        failures = dict(step_failures(instance, result.run_id))
    # one dbt step: the check is judged in it, and the step's failure names the check
    assert "declaration_lines_meet_contract" in failures["dbt_models"]
    assert not any("Error occurred while executing" in message for message in failures.values())
    check = checks(result)["declaration_lines_meet_contract"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["unexpected_rows"].value == 2  # period_start and service_month
    assert "FAIL" in check.metadata["results"].value and "2014-03-01" in check.metadata["results"].value
    # the failure names the file and its line (the header is line 1), and says what to do
    assert any(row[:2] == ["declarations/b.csv", "2"] for row in table_rows(check.metadata["offending_rows"]))
    assert "make retract FILE=" in check.metadata["what_to_do"].value
    # The run's materialization events: staging was built (the quarantine and the lines, as before),
    # no mart and not the BI file, so the UI shows every mart as not materialized in this run
    done = materialized(result)
    assert set(models_in("staging")) <= done
    assert not done & {k.to_user_string() for k in MART_KEYS} and len(MART_KEYS) > 30
    assert not done & {"publication_candidate", "published_warehouse"}
    assert published_spend(warehouse) == before and file_digest(warehouse.published_db) == digest
    assert "ERROR  declaration_lines / declaration_lines_meet_contract" in not_passed(result).splitlines()[1]


def test_the_gate_judges_the_sql_dbt_builds(warehouse, data_dir):
    """The contract checks on staging judge staged_sql(model) before dbt starts: the very SELECT dbt
    compiles for the model, but for the catalog dbt names every relation with."""
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    assert refresh(warehouse).success
    results = json.loads((artifacts_dir(warehouse, "dbt_models") / "run_results.json").read_text())["results"]
    compiled = {r["unique_id"].rsplit(".", 1)[1]: r["compiled_code"] for r in results
                if r["unique_id"].startswith("model.")}
    for model in ("declaration_lines", "outcome_responses"):
        as_dbt_runs_it = re.sub(r'"\w+"\."(\w+)"\."(\w+)"', r"\1.\2", compiled[model]).strip()
        assert as_dbt_runs_it == staged_sql(model)
    # the contract check alone (the UI's "execute" on it): judged, and no model built, without dbt
    alone = dg.materialize([DBT_MODELS], selection=dg.AssetSelection.checks(
        dg.AssetCheckKey(dg.AssetKey("declaration_lines"), "declaration_lines_meet_contract")),
        resources={"warehouse": warehouse})
    assert alone.success and not materialized(alone)
    assert [(e.check_name, e.passed) for e in alone.get_asset_check_evaluations()] == [
        ("declaration_lines_meet_contract", True)]
    # a model whose code uses Jinja the renderer does not know is refused, not judged on a guess
    with pytest.raises(Exception, match="is undefined"):
        staged_sql("municipality_month_spend")


def test_failed_reference_suite_blocks_everything_downstream(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    (data_dir / "raw/reference/population.csv").write_text("gemeentecode,jaar,inwoners_0_17\n0141,2024,-5\n")
    result = refresh(warehouse)
    assert not checks(result)["reference_data_meets_contract"].passed
    assert materialized(result) == {"reference_data"}
    assert not warehouse.published_db.exists()


def test_reconciliation_catches_a_mart_that_drifted(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    result = refresh(warehouse)
    assert result.success and checks(result)["spend_reconciles_with_staging"].passed
    with warehouse.connect() as con:
        con.execute("UPDATE marts.cost_by_municipality_year SET spend_eur = spend_eur + 1")
    with pytest.raises(RuntimeError, match=r"spend_reconciles_with_staging\.\w+: fail: Got 1 result"):
        run_dbt(warehouse, "test", "--select", "spend_reconciles_with_staging")


def test_warn_checks_report_but_do_not_stop(warehouse, data_dir):
    # 20 lines: a file as small as that is judged on its own (one bad line in 20 is the 5 % threshold)
    rows = [{"referentienummer": f"R{i}", "bsn": "999900007" if i < 3 else BASE_LINE["bsn"]} for i in range(20)]
    write_declarations(data_dir / "raw/declarations/a.csv", rows)
    result = refresh(warehouse)
    assert result.success
    rate = checks(result)["declarations_quarantine_rate"]
    assert not rate.passed and rate.severity == dg.AssetCheckSeverity.WARN
    assert rate.metadata["files_above"].value == 1 and rate.metadata["providers_above"].value == 1
    assert "published_warehouse" in materialized(result)


def test_spend_jump_and_stale_municipality_warn(warehouse, data_dir):
    lines = [{"referentienummer": "J1", "product_begindatum": "2024-01-01", "product_einddatum": "2024-01-31"},
             {"referentienummer": "J2", "product_begindatum": "2024-02-01", "product_einddatum": "2024-02-28",
              "geleverd_volume": "40", "ingediend_bedrag": "50000"},
             {"referentienummer": "J3", "gemeentecode": "0147", "product_begindatum": "2024-06-01",
              "product_einddatum": "2024-06-30"}]
    write_declarations(data_dir / "raw/declarations/a.csv", lines)
    result = refresh(warehouse)
    found = checks(result)
    assert found["no_sudden_spend_jumps"].metadata["jumps"].value == 1  # 50 -> 500 in 0141
    assert found["declarations_are_current"].metadata["municipalities_behind"].value == 1  # 0141 stops in Feb
    assert result.success


def test_failed_check_on_a_mart_stops_the_publish_and_keeps_the_bi_file_byte_for_byte(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    assert refresh(warehouse).success
    before = hashlib.sha256(warehouse.published_db.read_bytes()).hexdigest()
    # a providers.csv whose name column holds a BSN (columns swapped in a spreadsheet): never publish it
    providers = f"aanbieder_agb,naam\n{BASE_LINE['aanbieder_agb']},123456782\n"
    (data_dir / "raw/reference/providers.csv").write_text(providers)
    result = refresh(warehouse)
    assert not checks(result)["dim_provider_is_publishable"].passed
    assert {"dim_provider", "cost_by_municipality_year"} <= materialized(result)
    assert "published_warehouse" not in materialized(result)
    assert hashlib.sha256(warehouse.published_db.read_bytes()).hexdigest() == before
