"""A delivery that loads no new row rebuilds only the quality tables, and one that does is republished.

The sensor's run (ingest_declarations) ingests and rebuilds what every file changes; the sensor
refresh_after_new_rows starts refresh_after_ingestion only when that run loaded a row. Both runs
evaluate every check they plan: none is left to show as Skipped in the UI.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines.definitions import ASSETS, CHECKS
from pipelines.jobs import ingest_jobs, refresh_after_ingestion
from pipelines.sensors import refresh_after_new_rows
from tests.conftest import write_declarations
from tests.test_blocking_checks import published_spend, refresh
from tests.test_retraction import BAD_LINE

LINES = [{}, {"referentienummer": "R2", "bsn": "123456782"}]
QUALITY_TABLES = {"declaration_quarantine", "data_quality", "data_quality_rules", "data_quality_summary",
                  "data_quality_rules_summary"}


def run_job(name: str, warehouse, instance: dg.DagsterInstance, tags: dict[str, str] | None = None):
    """The code location's job, on this test's warehouse (the code location binds the settings' one)."""
    defs = dg.Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=[*ingest_jobs, refresh_after_ingestion],
                          resources={"warehouse": warehouse})
    return defs.resolve_job_def(name).execute_in_process(instance=instance, tags=tags, raise_on_error=False)


def planned_and_evaluated(instance: dg.DagsterInstance, run_id: str) -> tuple[set[str], set[str]]:
    """The checks a run planned (what the UI lists for it) and the ones it evaluated."""
    found: dict[dg.DagsterEventType, set[str]] = {}
    for kind in (dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED, dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        records = instance.get_records_for_run(run_id, of_type=kind, limit=10_000).records
        found[kind] = {r.event_log_entry.dagster_event.event_specific_data.asset_check_key.to_user_string()
                       for r in records}
    return found[dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED], found[dg.DagsterEventType.ASSET_CHECK_EVALUATION]


def sensor_answer(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult):
    context = dg.build_run_status_sensor_context(
        sensor_name="refresh_after_new_rows", dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=result.get_run_success_event())
    return refresh_after_new_rows(context)


def quality_row(warehouse, source_file: str) -> tuple:
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        return con.execute("SELECT status, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
                           "FROM marts.data_quality WHERE source_file = ?", [source_file]).fetchone()


def test_a_re_sent_file_rebuilds_the_quality_tables_only_and_a_new_row_is_republished(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", LINES)
    assert refresh(warehouse).success
    assert published_spend(warehouse) == 100
    published = warehouse.published_db.read_bytes()

    with dg.DagsterInstance.ephemeral() as instance:
        # the provider sends the same two lines again under another name, with one impossible line
        write_declarations(data_dir / "raw/declarations/a_again.csv", [*LINES, BAD_LINE])
        resent = run_job("ingest_declarations", warehouse, instance, tags={"jeugdzorg/files": "a_again.csv"})
        assert resent.success
        built = {e.asset_key.to_user_string() for e in resent.get_asset_materialization_events()}
        assert built == {"reference_data", "raw_declarations", *QUALITY_TABLES}
        planned, evaluated = planned_and_evaluated(instance, resent.run_id)
        assert planned and planned == evaluated  # every check it lists has a verdict: none shows as Skipped
        # the quality tables know the file: 3 lines read, 2 exact duplicates, 1 quarantined, none loaded
        assert quality_row(warehouse, "declarations/a_again.csv") == ("loaded", 3, 0, 1, 2)
        # nothing else was rebuilt, and the BI file is the one published before, byte for byte
        assert warehouse.published_db.read_bytes() == published
        skip = sensor_answer(instance, resent)
        assert isinstance(skip, dg.SkipReason)
        assert "a_again.csv" in skip.skip_message and "loaded no new row" in skip.skip_message

        # a file with one new line: its ingestion run asks for the refresh, which republishes
        write_declarations(data_dir / "raw/declarations/b.csv", [{"referentienummer": "R4"}])
        news = run_job("ingest_declarations", warehouse, instance, tags={"jeugdzorg/files": "b.csv"})
        assert news.success
        request = sensor_answer(instance, news)
        assert isinstance(request, dg.RunRequest)
        assert request.job_name in (None, "refresh_after_ingestion") and request.run_key == f"refresh:{news.run_id}"
        assert request.tags["jeugdzorg/rows_loaded"] == "1" and request.tags["jeugdzorg/files"] == "b.csv"
        assert published_spend(warehouse) == 100  # the ingestion run alone publishes nothing
        republished = run_job("refresh_after_ingestion", warehouse, instance, tags=request.tags)
        assert republished.success
        planned, evaluated = planned_and_evaluated(instance, republished.run_id)
        assert planned and planned == evaluated
        assert published_spend(warehouse) == 150
