"""A delivery that loads no new row rebuilds only the quality tables, and one that does is republished.

The sensor's run (ingest_declarations) ingests and rebuilds what every file changes; the sensor
refresh_after_new_rows starts refresh_after_ingestion only when that run loaded a row. Both runs
evaluate every check they plan: none is left to show as Skipped in the UI.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines.definitions import ASSETS, CHECKS, defs
from pipelines.health import asset_health, pipeline_health_sensor
from pipelines.jobs import ingest_jobs, refresh_after_ingestion
from pipelines.retraction import retract_file_job
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


def states(instance: dg.DagsterInstance) -> dict[str, str]:
    """Each asset's state as the health table (pipelines/health.py) reports it."""
    frame = asset_health(instance, defs.resolve_asset_graph())
    return dict(zip(frame["asset"], frame["state"], strict=True))


def quality_row(warehouse, source_file: str) -> tuple:
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        return con.execute("SELECT status, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
                           "FROM marts.data_quality WHERE source_file = ?", [source_file]).fetchone()


def test_a_re_sent_file_rebuilds_the_quality_tables_only_and_a_new_row_is_republished(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", LINES)
    with dg.DagsterInstance.ephemeral() as instance:
        assert refresh(warehouse, instance).success
        assert published_spend(warehouse) == 100
        published = warehouse.published_db.read_bytes()
        health = states(instance)
        # test data end in 2024, so published_data_is_recent fails (WARN); every model is fresh
        assert health["published_warehouse"] == "failing WARN" and health["declaration_lines"] == "fresh"
        assert not any("stale" in s for s in health.values())

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
        # no new row: Dagster marks nothing built on the ingestion as stale (its data version stands)
        assert states(instance) == health
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
        health = states(instance)  # the new row: what is built on it, down to the published file, is stale
        assert health["declaration_lines"] == health["cost_trends_by_municipality"] == "stale"
        assert health["published_warehouse"] == "failing WARN, stale"  # the most serious first
        assert health["reference_data"] == health["data_quality"] == "fresh"
        republished = run_job("refresh_after_ingestion", warehouse, instance, tags=request.tags)
        assert republished.success
        planned, evaluated = planned_and_evaluated(instance, republished.run_id)
        assert planned and planned == evaluated
        assert published_spend(warehouse) == 150
        assert not any("stale" in s for s in states(instance).values())

        # a retraction leaves the published file stale until the refresh; the health sensor reports it
        assert retract_file_job.execute_in_process(
            run_config={"ops": {"retract_file": {"config": {"file": "b.csv", "reason": "wrong month"}}}},
            resources={"warehouse": warehouse}, instance=instance).success
        health = states(instance)
        assert health["declaration_lines"] == health["publication_candidate"] == "stale"
        assert health["published_warehouse"] == "failing WARN, stale"
        context = dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def())
        tick = pipeline_health_sensor(context)
        (observation,) = tick.asset_events
        assert observation.asset_key == dg.AssetKey("pipeline_health")
        assert "stale" in observation.metadata["summary"].value
        rows = {r.data["asset"]: r.data for r in observation.metadata["assets"].records}
        assert rows["declaration_lines"]["state"] == "stale"
        assert rows["declaration_lines"]["why"] == "raw_declarations changed since"
        # nothing changed since: the next tick reports nothing
        again = pipeline_health_sensor(dg.build_sensor_context(instance=instance, cursor=tick.cursor,
                                                               repository_def=defs.get_repository_def()))
        assert again.asset_events == [] and "nothing changed" in again.skip_reason.skip_message
