"""Asset checks and the file sensor, on crafted inputs."""

import json

import dagster as dg
import pandas as pd

from assets.ingest.assets import raw_declarations, reference_data
from checks.accounting import declaration_rows_add_up
from checks.credits import credits_match_a_debit
from checks.survey_coverage import finished_trajectories_have_outcomes, outcomes_match_declarations
from foundation.sql import markdown_table
from pipelines.definitions import ALL_ASSETS, DBT_MODELS
from pipelines.sensors import files_tag, new_declaration_files, new_survey_files
from tests.conftest import hold_working_file, table_rows, write_declarations, write_surveys


def _run(warehouse):
    assets = [reference_data, raw_declarations, DBT_MODELS, declaration_rows_add_up, credits_match_a_debit]
    return dg.materialize(assets, selection=["reference_data", "raw_declarations", "declaration_lines"],
                          resources={"warehouse": warehouse})


def _evaluation(result, name):
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == name)


def test_unmatched_credit_warns_but_stays_loaded(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [
        {"referentienummer": "R1"},
        {"referentienummer": "C1", "vorig_referentienummer": "R1", "debet_credit": "C"},
        {"referentienummer": "C2", "vorig_referentienummer": "NOPE", "debet_credit": "C"},
    ])
    result = _run(warehouse)
    ev = _evaluation(result, "credits_match_a_debit")
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert ev.metadata["unmatched_credits"].value == 1
    assert ev.metadata["credit_lines"].value == 2
    with warehouse.connect() as con:
        assert str(con.execute("SELECT sum(amount_eur) FROM staging.declaration_lines").fetchone()[0]) == "-50.00"


def test_identity_check_passes_and_fails(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}, {"bsn": "1"}, {}])
    assert _evaluation(_run(warehouse), "declaration_rows_add_up").passed
    with warehouse.connect() as con:  # lose a row behind the registry's back
        con.execute("DELETE FROM raw.declaration_rows WHERE status = 'duplicate'")
    ev = declaration_rows_add_up(warehouse=warehouse)
    assert not ev.passed and ev.metadata["files_not_adding_up"].value == 1


def test_sensor_requests_one_run_per_new_file(warehouse, data_dir):
    ctx = dg.build_sensor_context(resources={"warehouse": warehouse})
    first = new_declaration_files(ctx)
    assert not first.run_requests
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    ctx = dg.build_sensor_context(cursor=first.cursor, resources={"warehouse": warehouse})
    second = new_declaration_files(ctx)
    assert len(second.run_requests) == 1 and second.run_requests[0].tags["jeugdzorg/files"] == "a.csv"
    ctx = dg.build_sensor_context(cursor=second.cursor, resources={"warehouse": warehouse})
    assert not new_declaration_files(ctx).run_requests  # the same file never triggers twice
    write_declarations(data_dir / "raw/declarations/b.csv", [{}])
    ctx = dg.build_sensor_context(cursor=second.cursor, resources={"warehouse": warehouse})
    third = new_declaration_files(ctx)
    assert len(third.run_requests) == 1 and third.run_requests[0].run_key != second.run_requests[0].run_key
    assert third.run_requests[0].tags["jeugdzorg/files"] == "b.csv"


def test_the_files_tag_names_the_files_and_counts_the_rest():
    assert files_tag(["a.csv|1|2", "b.csv|3|4"]) == "a.csv, b.csv"
    many = files_tag([f"{i:060d}.csv|1|2" for i in range(20)])
    assert many.endswith(" and 13 more") and len(many) < 520


def test_a_name_refused_unread_is_requested_again_once_it_changed(warehouse, data_dir):
    """An upload caught empty (or still being written) is refused unread; the finished file is news."""
    (data_dir / "raw/declarations/late.csv").write_text("")
    assert dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse}).success
    quiet = new_declaration_files(dg.build_sensor_context(resources={"warehouse": warehouse}))
    assert not quiet.run_requests  # registered, refused: nothing new yet
    write_declarations(data_dir / "raw/declarations/late.csv", [{}])
    done = new_declaration_files(dg.build_sensor_context(cursor=quiet.cursor, resources={"warehouse": warehouse}))
    assert len(done.run_requests) == 1 and done.run_requests[0].tags["jeugdzorg/files"] == "late.csv"


def test_sensor_knows_the_registry_and_keeps_its_cursor_small(warehouse, data_dir):
    """The first tick after `make demo` must not request a run for files already loaded."""
    for name in ("a.csv", "b.csv"):
        write_declarations(data_dir / f"raw/declarations/{name}", [{"referentienummer": name}])
    assert dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse}).success
    fresh = new_declaration_files(dg.build_sensor_context(resources={"warehouse": warehouse}))
    assert not fresh.run_requests and json.loads(fresh.cursor) == []
    write_declarations(data_dir / "raw/declarations/c.csv", [{"referentienummer": "C"}])
    asked = new_declaration_files(dg.build_sensor_context(cursor=fresh.cursor, resources={"warehouse": warehouse}))
    assert len(asked.run_requests) == 1 and [e.split("|")[0] for e in json.loads(asked.cursor)] == ["c.csv"]
    assert dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse}).success
    done = new_declaration_files(dg.build_sensor_context(cursor=asked.cursor, resources={"warehouse": warehouse}))
    assert not done.run_requests and json.loads(done.cursor) == []  # registered: out of the cursor


def test_sensor_waits_while_a_run_holds_the_working_file(warehouse, data_dir):
    with warehouse.connect():
        pass
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    holder = hold_working_file(warehouse.working_db, 30)
    try:
        result = new_declaration_files(dg.build_sensor_context(cursor="[]", resources={"warehouse": warehouse}))
        assert not result.run_requests and result.cursor == "[]"
        assert "holds the working file" in result.skip_reason.skip_message
    finally:
        holder.kill()


def test_survey_coverage_checks(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [
        {"referentienummer": "R1", "toewijzingnummer": "1"},  # March only: finished long before the cut-off
        *({"referentienummer": f"R2{m}", "toewijzingnummer": "2", "product_begindatum": f"2024-{m:02d}-01",
           "product_einddatum": f"2024-{m:02d}-28"} for m in range(3, 9)),  # runs to August (the cut-off)
    ])
    write_surveys(data_dir / "raw/surveys/s.csv", [{"toewijzingnummer": "99"}])  # never declared
    assert dg.materialize(ALL_ASSETS, resources={"warehouse": warehouse}).success
    unmatched = outcomes_match_declarations(warehouse=warehouse)
    assert not unmatched.passed and unmatched.metadata["responses_without_declarations"].value == 1
    missing = finished_trajectories_have_outcomes(warehouse=warehouse)
    assert not missing.passed and missing.metadata["providers_above"].value == 1
    assert [row[-1] for row in table_rows(missing.metadata["providers"])] == ["100.0"]  # without_pct


def test_survey_sensor_watches_its_own_folder(warehouse, data_dir):
    ctx = dg.build_sensor_context(resources={"warehouse": warehouse})
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])  # not its folder
    first = new_survey_files(ctx)
    assert not first.run_requests
    (data_dir / "raw/surveys/s.xlsx").write_bytes(b"x")
    ctx = dg.build_sensor_context(cursor=first.cursor, resources={"warehouse": warehouse})
    assert len(new_survey_files(ctx).run_requests) == 1


def test_markdown_keeps_leading_zeros():
    assert "| 0141 " in markdown_table(pd.DataFrame({"municipality_code": ["0141"]}))
