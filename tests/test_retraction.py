"""Retracting a file: its rows leave, nothing else is lost, the registry says why, and a run that
a bad line blocked publishes again."""

from __future__ import annotations

import hashlib
import shutil

import dagster as dg
import duckdb
import pytest

from assets.ingest.files import outstanding_rejections
from assets.ingest.retract import RetractionError, retract
from checks.accounting import identity_result
from pipelines.retraction import refresh_after_retraction, retract_file_job
from tests.conftest import write_declarations, write_surveys
from tests.test_blocking_checks import checks, published_spend, refresh
from tests.test_declaration_ingest import ingest
from tests.test_survey_ingest import ingest as ingest_surveys

# volume x tariff = amount, but no client-month costs EUR 261,600: beyond the bound of rule D11
BAD_LINE = {"referentienummer": "R3", "geleverd_volume": "20928", "ingediend_bedrag": "26160000"}


def retract_with_job(warehouse, file: str, reason: str) -> dg.ExecuteInProcessResult:
    return retract_file_job.execute_in_process(
        run_config={"ops": {"retract_file": {"config": {"file": file, "reason": reason}}}},
        resources={"warehouse": warehouse}, raise_on_error=False)


def test_a_bad_value_costs_its_row_and_a_retracted_file_leaves_the_next_publication(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}, {"referentienummer": "R2", "bsn": "123456782"}])
    assert refresh(warehouse).success
    assert published_spend(warehouse) == 100
    write_declarations(data_dir / "raw/declarations/b.csv", [{"referentienummer": "R4", "bsn": "123456782"}, BAD_LINE])
    night = refresh(warehouse)
    # one absurd value costs one row, not the night: the line is quarantined and the rest publishes
    assert night.success and checks(night)["declaration_lines_meet_contract"].passed
    assert published_spend(warehouse) == 150
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        assert con.execute("SELECT rule_id, message FROM raw.declaration_rows WHERE reference_number = 'R3'"
                           ).fetchone() == ("D11", "ingediend_bedrag 26160000 eurocents is above the bound of "
                                                   "25,000,000")

    result = retract_with_job(warehouse, "b.csv", "the provider sent the wrong month; a corrected file follows")
    assert result.success
    changed = [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()]
    assert changed == ["raw_declarations"]  # the UI marks what is built on it stale
    # the ingestion asset's checks are evaluated again against that materialization, on what is left:
    # the rows still add up (2 read, 2 retracted), and no quarantined line of b.csv counts any more
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {"declaration_rows_add_up", "declarations_quarantine_rate",
                                "no_rejected_declarations_files_waiting"}
    assert all(e.passed for e in evaluations.values())
    assert evaluations["declaration_rows_add_up"].metadata["rows_retracted"].value == 2
    assert {e.target_materialization_data.run_id for e in evaluations.values()} == {result.run_id}
    # and the refresh is queued, once per retraction
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_run_status_sensor_context(
            sensor_name="refresh_after_retraction", dagster_instance=instance, dagster_run=result.dagster_run,
            dagster_event=result.get_run_success_event())
        request = refresh_after_retraction(context)
    assert request.job_name in (None, "nightly_refresh") and request.run_key == f"after_retraction:{result.run_id}"

    again = refresh(warehouse)
    assert again.success and checks(again)["declaration_lines_meet_contract"].passed
    assert published_spend(warehouse) == 100  # b.csv's good line left with it; a.csv is whole
    # per file in the working file (and the UI), where the data team looks; the BI file has only the summary
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        status, read, retracted, message, when = con.execute(
            "SELECT status, rows_read, rows_retracted, message, retracted_at FROM marts.data_quality "
            "WHERE source_file = 'declarations/b.csv'").fetchone()
    assert (status, read, retracted) == ("retracted", 2, 2) and when is not None
    assert message.startswith("retracted: the provider sent the wrong month")
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        summary = con.execute("SELECT sum(files), sum(rows_read), sum(rows_retracted) FROM marts.data_quality_summary "
                              "WHERE kind = 'declarations' AND status = 'retracted'").fetchone()
    assert summary == (1, 2, 2)


def test_rows_that_repeated_the_retracted_file_load_in_its_place(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}, {"referentienummer": "R2"}])
    ingest(warehouse)
    write_declarations(data_dir / "raw/declarations/b.csv", [
        {},  # the same line again: an exact duplicate of a.csv's R1
        {"referentienummer": "R2", "geleverd_volume": "2", "ingediend_bedrag": "2500"},  # D09 against a.csv
        {"referentienummer": "R5"},
    ])
    write_declarations(data_dir / "raw/declarations/c.csv", [{"referentienummer": "R2", "geleverd_volume": "2",
                                                                "ingediend_bedrag": "2500"}])
    _, rows, _ = ingest(warehouse)
    assert [r[2] for r in rows] == ["loaded", "loaded", "duplicate", "quarantined", "loaded", "quarantined"]
    with warehouse.connect() as con:
        done = retract(con, "declarations/a.csv", "sent for the wrong municipality")
    assert (done.rows_removed, done.rows_reinstated) == (2, 2)
    _, rows, files = ingest(warehouse)
    # b.csv's R1 and R2 are now first; c.csv's R2 is an exact duplicate of b.csv's, no longer D09
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("declarations/b.csv", 2, "loaded", None), ("declarations/b.csv", 3, "loaded", None),
        ("declarations/b.csv", 4, "loaded", None), ("declarations/c.csv", 2, "duplicate", None)]
    assert "declarations/b.csv line 3" in rows[3][4]
    assert [f[:6] for f in files] == [("declarations/a.csv", "retracted", 2, 0, 0, 0),
                                      ("declarations/b.csv", "loaded", 3, 3, 0, 0),
                                      ("declarations/c.csv", "loaded", 1, 0, 0, 1)]
    assert identity_result(warehouse, "declarations", "raw.declaration_rows").passed


def test_a_retracted_survey_file_lets_the_earlier_response_count_again(warehouse, data_dir):
    write_surveys(data_dir / "raw/surveys/early.csv", [{"invuldatum": "2024-07-05", "tevredenheid": "6"}])
    write_surveys(data_dir / "raw/surveys/late.csv", [{"invuldatum": "2024-08-01", "tevredenheid": "9"}])
    ingest_surveys(warehouse)
    with warehouse.connect() as con:
        assert con.execute("SELECT rule_id FROM raw.survey_rows ORDER BY file_id").fetchall() == [("S09",), (None,)]
        retract(con, "surveys/late.csv", "filled in for the wrong trajectory")
        assert con.execute("SELECT status, satisfaction FROM raw.survey_rows").fetchall() == [("loaded", 6)]
    assert identity_result(warehouse, "surveys", "raw.survey_rows").passed


def test_what_cannot_be_retracted_says_why(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    (data_dir / "raw/declarations/broken.xml").write_text("<Bericht>")
    ingest(warehouse)
    with warehouse.connect() as con:
        for name, message in [("nope.csv", "has no file named"), ("reference/gemeenten.csv", "has no file named"),
                              ("a.csv", "say why")]:
            with pytest.raises(RetractionError, match=message):
                retract(con, name, "" if message == "say why" else "x")
        # a rejected file waits at every run until dealt with; retracting it (it holds no rows) acknowledges it
        assert list(outstanding_rejections(con, "declarations").source_file) == ["declarations/broken.xml"]
        assert retract(con, "declarations/broken.xml", "provider will not resend").rows_removed == 0
        assert outstanding_rejections(con, "declarations").empty
    failed = retract_with_job(warehouse, "a.csv", "")
    assert not failed.success
    assert "say why" in str(failed.get_step_failure_events()[0].event_specific_data.error.message)


def test_the_launchpad_opens_with_only_file_and_reason_to_fill_in(warehouse, data_dir):
    from pipelines.definitions import defs

    job = defs.resolve_job_def("retract_a_file")
    # no "Missing required config entry": the job's own config is complete, and names no resource
    assert list(job.run_config) == ["ops"]
    config = dg.validate_run_config(job, {})["ops"]["retract_file"]["config"]
    assert set(config) == {"file", "reason"} and "<" in config["file"] and "<" in config["reason"]
    # launched unedited, the placeholder names no registered file: nothing is removed
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    ingest(warehouse)
    unedited = job.execute_in_process(resources={"warehouse": warehouse}, raise_on_error=False)
    assert not unedited.success
    assert "has no file named" in unedited.get_step_failure_events()[0].event_specific_data.error.message
    with warehouse.connect() as con:
        assert con.execute("SELECT status FROM registry.files").fetchall() == [("loaded",)]


def test_a_corrected_delivery_under_the_same_name_survives_the_retraction(warehouse, data_dir):
    path = write_declarations(data_dir / "raw/declarations/b.csv", [{}, BAD_LINE])
    ingest(warehouse)
    bad_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    write_declarations(path, [{}, {"referentienummer": "R3"}])  # the provider resends b.csv, corrected
    ingest(warehouse)
    with warehouse.connect() as con:
        with pytest.raises(RetractionError, match=r"has 2 versions: declarations/b.csv@"):
            retract(con, "b.csv", "the first delivery was wrong")
        done = retract(con, f"b.csv@{bad_sha[:8]}", "the first delivery was wrong")
        assert done.sha256 == bad_sha and done.rows_removed == 2
        # the correction's R1 was an exact duplicate of the bad delivery's R1: it loads now (its R3 loaded
        # at once, since the bad R3 was quarantined by D11 and so never held the reference)
        assert done.rows_reinstated == 1
        assert con.execute("SELECT count(*), sum(amount_cents) FROM raw.declaration_rows "
                           "WHERE status = 'loaded'").fetchone() == (2, 10000)
    assert identity_result(warehouse, "declarations", "raw.declaration_rows").passed


def test_names_are_matched_exactly_and_a_redrop_points_at_the_original(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/x-1.csv", [{}])
    shutil.copyfile(data_dir / "raw/declarations/x-1.csv", data_dir / "raw/declarations/copy.csv")
    ingest(warehouse)
    with warehouse.connect() as con:
        with pytest.raises(RetractionError, match=r"has no file named 'x_1\.csv'"):
            retract(con, "x_1.csv", "a wildcard must not match x-1.csv")
        with pytest.raises(RetractionError, match="its content had been loaded before"):
            retract(con, "copy.csv", "the copy holds no rows of its own")


def test_a_month_that_only_the_retracted_file_declared_leaves_the_monthly_figures(warehouse, data_dir):
    # municipality_month_spend is kept by month: a retraction rebuilds every month, so a month whose
    # only lines were retracted goes, rather than staying behind as nobody's news
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    write_declarations(data_dir / "raw/declarations/b.csv", [
        {"referentienummer": "R2", "product_begindatum": "2024-04-01", "product_einddatum": "2024-04-30"}])
    assert refresh(warehouse).success

    def months() -> list[tuple]:
        with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
            return con.execute("SELECT strftime(month, '%Y-%m'), spend_eur FROM staging.municipality_month_spend "
                               "ORDER BY month").fetchall()

    assert months() == [("2024-03", 50), ("2024-04", 50)]
    with warehouse.connect() as con:
        retract(con, "declarations/b.csv", "sent by mistake")
    assert refresh(warehouse).success
    assert months() == [("2024-03", 50)]
