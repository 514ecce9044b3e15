"""Retract a file: the `retract_a_file` job, and `make retract FILE=… REASON=…` that starts it.

The job removes the file's rows (assets/ingest/retract.py) and records a materialization of the
ingestion asset it changed, so the UI marks what is built on it as stale; then it evaluates that
asset's checks again on what is left, so none of them stands as "not evaluated" against the
retraction. The sensor refresh_after_retraction then queues the nightly refresh, which rebuilds,
checks and publishes; without a daemon, `make retract` says to run `make run` (or leave it to the
night).
"""

import argparse
import sys

import dagster as dg
import duckdb
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluationTargetMaterializationData
from pydantic import Field

import checks
from assets.ingest.messages import MESSAGE_KINDS
from assets.ingest.retract import RetractionError, find_file, retract
from assets.transform import model_declaring
from foundation.fingerprint import DATA_VERSION_TAG, loaded_rows_version
from foundation.warehouse import Warehouse
from pipelines.jobs import nightly_refresh

AFTER_RETRACTION_TAG = "jeugdzorg/after_retraction"
# the mart that lists every file with its status (meta.file_accounting): where a user finds the name to give
FILES = model_declaring("file_accounting")
INGEST_ASSET = {kind: f"raw_{kind}" for kind in ("declarations", "surveys", *(k.kind for k in MESSAGE_KINDS))}


class RetractFileConfig(dg.Config):
    file: str = Field(description=f"The file as {FILES} names it, for example declarations/0118_202401.csv")
    reason: str = Field(description=f"Why it is retracted: kept in the registry and in {FILES}")


@dg.op(description="Removes every row of one declaration or outcome-record file from the warehouse and records "
       "the retraction in the registry.", out=dg.Out(str, description="the ingestion asset it changed"))
def retract_file(context: dg.OpExecutionContext, config: RetractFileConfig, warehouse: Warehouse) -> str:
    with warehouse.connect() as con:
        try:
            done = retract(con, config.file, config.reason, warehouse.pseudonymiser().mask_name)
        except RetractionError as exc:
            raise dg.Failure(description=str(exc)) from exc
        version = loaded_rows_version(con, done.kind)
    context.log.info(f"retracted {done.source_file}: {done.rows_removed:,} row(s) removed, "
                     f"{done.rows_reinstated:,} row(s) of other files load again in their place")
    context.log_event(dg.AssetMaterialization(
        asset_key=INGEST_ASSET[done.kind],
        description=f"{done.source_file} retracted: {config.reason}",
        metadata={"retracted_file": done.source_file, "reason": config.reason, "rows_removed": done.rows_removed,
                  "rows_reinstated": done.rows_reinstated, "sha256": done.sha256},
        # the ingestion's data version, as its asset records it: rows left, so what is built on them is stale
        tags={DATA_VERSION_TAG: version}))
    return INGEST_ASSET[done.kind]


@dg.op(description="Evaluates the checks of the retracted file's ingestion asset again, on the rows that are left: "
       "the retraction's materialization would otherwise leave them 'not evaluated' until the next run.")
def recheck_ingestion(context: dg.OpExecutionContext, asset: str, warehouse: Warehouse) -> None:
    key = dg.AssetKey(asset)
    record = context.instance.fetch_materializations(key, limit=1).records[0]  # the retraction's own
    target = AssetCheckEvaluationTargetMaterializationData(
        storage_id=record.storage_id, run_id=record.run_id, timestamp=record.timestamp)
    for definition in dg.load_asset_checks_from_package_module(checks):
        for spec in definition.check_specs:
            if spec.asset_key != key:
                continue
            result = definition(warehouse=warehouse)
            context.log_event(dg.AssetCheckEvaluation(
                asset_key=key, check_name=spec.name, passed=result.passed, metadata=result.metadata,
                severity=result.severity, blocking=spec.blocking, target_materialization_data=target,
                description=f"evaluated again after the retraction (run {context.run_id})"))
            context.log.info(f"{asset} / {spec.name}: {'passed' if result.passed else 'did not pass'}")
    context.log.info("the sensor refresh_after_retraction queues the nightly refresh, which rebuilds and publishes "
                     "(without a daemon: make run, or the nightly schedule)")


# What the launchpad opens with: the two fields to fill in, as placeholders no registered file has
# (a run launched unedited fails on "not in the registry", before it touches a row). The warehouse
# resource is configured by the code location (pipelines/definitions.py), so it is left out here.
LAUNCHPAD_CONFIG = {"ops": {"retract_file": {"config": {
    "file": f"declarations/<the file as {FILES} names it>", "reason": "<why it is retracted>"}}}}


@dg.job(name="retract_a_file", executor_def=dg.in_process_executor, config=LAUNCHPAD_CONFIG,
        description="Retract a bad declaration or outcome-record file: fill in file and reason in the launchpad. "
        f"Its rows leave the warehouse and {FILES} shows it as retracted; the next run publishes again.")
def retract_file_job() -> None:
    recheck_ingestion(retract_file())


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[retract_file_job],
                      request_job=nightly_refresh, name="refresh_after_retraction",
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="After a retraction: queues nightly_refresh, which rebuilds what the retracted rows "
                      "were in, evaluates every check again and publishes.")
def refresh_after_retraction(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    run_id = context.dagster_run.run_id
    return dg.RunRequest(run_key=f"after_retraction:{run_id}", tags={AFTER_RETRACTION_TAG: run_id})


def _check_first(file: str) -> str | None:
    """Why the retraction cannot be done, found before any run starts; None when it can (or when
    the working file is busy, in which case the run itself will say)."""
    from foundation.warehouse import warehouse_from_settings

    warehouse = warehouse_from_settings()
    if not warehouse.working_db.exists():
        return f"no working file at {warehouse.working_db}: nothing has been loaded yet"
    try:
        with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
            find_file(con, file)
    except RetractionError as exc:
        return str(exc)
    except duckdb.Error:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make retract", description="Retract a file, then rebuild with make run.")
    parser.add_argument("file", help=f"the file as {FILES} names it, e.g. declarations/<file>")
    parser.add_argument("reason", help=f"why: kept in the registry and {FILES}")
    args = parser.parse_args(argv)
    if not args.file or not args.reason.strip():
        parser.error("usage: make retract FILE=declarations/<file> REASON='why'")
    problem = _check_first(args.file)
    if problem:  # a typo should not become a failed run that pages the team
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from pipelines.launch import launch

    run = launch("retract_a_file", {"ops": {"retract_file": {"config": {"file": args.file, "reason": args.reason}}}})
    if run.status != dg.DagsterRunStatus.SUCCESS:
        return 1
    from pipelines.launch import daemon_is_running, instance

    with instance() as inst:
        queued = daemon_is_running(inst)
    print("Retracted, and the retracted file's checks evaluated again. " + (
        "The daemon runs: sensor refresh_after_retraction queues nightly_refresh, which rebuilds and publishes the "
        "BI file again (see Runs in the UI)." if queued else
        "No Dagster daemon runs, so nothing is queued: `make run` rebuilds and publishes the BI file now; otherwise "
        "the nightly run does."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
