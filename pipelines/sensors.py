"""Sensors that start ingestion when new files land in a raw drop folder.

A file is new when the registry (registry.files in the working file) has never seen its name, so
the first tick after `make demo` finds nothing to do, however empty the cursor. The cursor holds
only the files already handed to a run that has not registered them yet: it empties as runs
finish, instead of growing with every file ever seen. The run key is derived from the new files,
so Dagster also refuses a duplicate run. A file edited in place keeps its name: the nightly
refresh, which reads every file with new content, picks it up.
"""


import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest.files import UNREAD, Listed, listing
from assets.ingest.messages import MESSAGE_KINDS
from assets.reports.council_reports import council_report_partitions, reports_dir
from assets.reports.render import plan
from checks import freshness
from foundation.settings import load_settings
from foundation.warehouse import Warehouse
from pipelines.jobs import (
    AFTER_INGESTION_TAG,
    INGEST_JOB_OF,
    QUIET_CONSOLE,
    ingest_jobs,
    refresh_after_ingestion,
    render_council_reports,
)


def registered_files(warehouse: Warehouse, kind: str) -> dict[str, tuple] | None:
    """The registry's file names of `kind` (as `kind/name`), each with its latest row's (sha256, size,
    modified_ns); None while a run holds the working file."""
    if not warehouse.working_db.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
            if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'registry' "
                               "AND table_name = 'files'").fetchone()[0]:
                return {}
            return {r[0]: r[1:] for r in con.execute(
                "SELECT source_file, sha256, size_bytes, modified_ns FROM registry.files WHERE kind = ? "
                "QUALIFY row_number() OVER (PARTITION BY source_file ORDER BY file_id DESC) = 1", [kind]).fetchall()}
    except (duckdb.IOException, duckdb.ConnectionException):
        return None


def new_files_request(folder: Path, suffixes: tuple[str, ...], registered: dict[str, tuple], cursor: str | None,
                      shown: Callable[[str], str]) -> tuple[list[str], str]:
    """The files neither registered nor already requested, and the cursor: every file not registered yet.
    A name whose latest registry row was refused unread (still being written, empty, too large)
    counts as new again once its size or time moved: the finished upload."""
    requested: set[str] = set(json.loads(cursor)) if cursor else set()

    def is_new(e: Listed) -> bool:
        seen = registered.get(e.source_file)
        return seen is None or (seen[0] == UNREAD and seen[1:] != (e.stat.st_size, e.stat.st_mtime_ns))

    # names as the registry keeps them (a BSN-like number masked): the cursor lives in Dagster's storage
    unregistered = {f"{e.source_file.partition('/')[2]}|{e.stat.st_size}|{e.stat.st_mtime_ns}"
                    for e in listing(folder, suffixes, shown) if is_new(e)}
    return sorted(unregistered - requested), json.dumps(sorted(unregistered))


FILES_TAG_CHARS = 500


def files_tag(new: list[str]) -> str:
    """The names a sensor run was started for (as the registry shows them), for the run's tags: the UI
    and an alert then say which delivery a run is about. Long lists end in how many more there are."""
    names = [entry.split("|")[0] for entry in new]
    shown: list[str] = []
    for name in names:
        if len(", ".join([*shown, name])) > FILES_TAG_CHARS:
            return ", ".join(shown) + f" and {len(names) - len(shown)} more"
        shown.append(name)
    return ", ".join(shown)


def build_file_sensor(name: str, kind: str, suffixes: tuple[str, ...], job_name: str) -> dg.SensorDefinition:
    @dg.sensor(name=name, job_name=job_name, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description=f"Starts ingestion when files the registry has never seen land in raw/{kind}/.")
    def _sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.SensorResult:
        registered = registered_files(warehouse, kind)
        if registered is None:
            return dg.SensorResult(skip_reason="a run holds the working file; looking again at the next tick",
                                   cursor=context.cursor)
        new, cursor = new_files_request(warehouse.raw_dir / kind, suffixes, registered, context.cursor,
                                        warehouse.pseudonymiser().mask_name)
        if not new:
            return dg.SensorResult(skip_reason=f"no new files in raw/{kind}/", cursor=cursor)
        run_key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:32]
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags={"new_files": str(len(new)),
                                                               "jeugdzorg/files": files_tag(new)})], cursor=cursor)

    return _sensor


new_declaration_files = build_file_sensor("new_declaration_files", "declarations", (".xml", ".csv"),
                                          INGEST_JOB_OF["declarations"].name)
new_survey_files = build_file_sensor("new_survey_files", "surveys", (".csv", ".xlsx"), INGEST_JOB_OF["surveys"].name)
new_message_files = [build_file_sensor(f"new_{k.kind}_files", k.kind, (".xml",), INGEST_JOB_OF[k.kind].name)
                     for k in MESSAGE_KINDS]


def rows_loaded(instance: dg.DagsterInstance, run_id: str) -> int:
    """The rows a run's ingestion steps loaded, from their materializations' metadata (rows_loaded)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION,
                                           limit=1000).records
    loaded = 0
    for record in records:
        value = record.asset_materialization.metadata.get("rows_loaded") if record.asset_materialization else None
        loaded += int(value.value) if value is not None else 0
    return loaded


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=ingest_jobs,
                      request_job=refresh_after_ingestion, name="refresh_after_new_rows",
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="After a sensor's ingestion run (ingest_KIND): starts refresh_after_ingestion when "
                      "it loaded a new row and no refresh is waiting in the queue already. A delivery that loaded "
                      "none (duplicates, quarantined lines, a refused file) rebuilds nothing more; its quality tables "
                      "were rebuilt in the ingestion run.")
def refresh_after_new_rows(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    files = run.tags.get("jeugdzorg/files", "")
    loaded = rows_loaded(context.instance, run.run_id)
    if not loaded:
        return dg.SkipReason(f"run {run.run_id[:8]} of {run.job_name} ({files or 'no file named'}) loaded no new row: "
                             "nothing to rebuild or republish")
    waiting = context.instance.get_runs(dg.RunsFilter(job_name=refresh_after_ingestion.name, statuses=[
        dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]), limit=1)
    if waiting:  # it has not started, so it will build from these rows too
        return dg.SkipReason(f"run {run.run_id[:8]} loaded {loaded:,} new rows; the refresh {waiting[0].run_id[:8]} "
                             "waiting in the queue will rebuild from them")
    return dg.RunRequest(run_key=f"refresh:{run.run_id}", tags={
        AFTER_INGESTION_TAG: run.run_id, "jeugdzorg/files": files, "jeugdzorg/rows_loaded": str(loaded)})


@dg.sensor(name="council_reports_after_publish", job=render_council_reports, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="After each new publication of the BI file: adds a council_reports partition for every "
           "municipality and region in it, and starts one run over all of them when a report's fingerprint changed "
           "or one was never materialised (the run skips the unchanged ones).")
def council_reports_after_publish(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.SensorResult:
    records = context.instance.fetch_materializations(dg.AssetKey("published_warehouse"), limit=1).records
    if not records:
        return dg.SensorResult(skip_reason="the BI file has not been published yet", cursor=context.cursor)
    latest = records[0].storage_id
    if context.cursor and int(context.cursor) >= latest:
        return dg.SensorResult(skip_reason="no new publication since the last tick", cursor=context.cursor)
    if not warehouse.published_db.exists():
        return dg.SensorResult(skip_reason=f"{warehouse.published_db} is missing", cursor=context.cursor)
    reports = plan(warehouse.published_db, reports_dir(warehouse), load_settings().report_period)
    planned = {s.key for s, _fp, _changed in reports}
    # in the order they were added; a key the file no longer asks for (a municipality renamed, merged
    # or gone, or a key of an earlier version) leaves the list, so that the UI lists the letters there are
    listed = context.instance.get_dynamic_partitions(council_report_partitions.name)
    known = [k for k in listed if k in planned]
    stale = [k for k in listed if k not in planned]
    materialised = context.instance.get_materialized_partitions(dg.AssetKey("council_reports"))
    new = [s.key for s, _fp, _changed in reports if s.key not in known]
    todo = [(s.key, fp) for s, fp, changed in reports if changed or s.key not in materialised]
    # one run over every partition (a single-run backfill policy), not a run per letter: the queue
    # takes one run at a time, and the run skips the letters whose fingerprint did not change
    partitions = [*known, *new]
    run_key = hashlib.sha256("".join(f"{key}:{fp}" for key, fp in todo).encode()).hexdigest()[:16]
    # the run config said again: a partitioned job keeps its config per partition, and a run over a
    # range of partitions gets none of it, so its console would print every DEBUG event to `make ui`
    run = dg.RunRequest(run_key=f"council_reports:{run_key}", run_config=QUIET_CONSOLE, tags={
        "dagster/asset_partition_range_start": partitions[0], "dagster/asset_partition_range_end": partitions[-1],
        "jeugdzorg/changed_reports": str(len(todo))}) if todo else None
    return dg.SensorResult(
        dynamic_partitions_requests=([council_report_partitions.build_delete_request(stale)] if stale else [])
        + ([council_report_partitions.build_add_request(new)] if new else []),
        run_requests=[run] if run else [],
        skip_reason=None if todo else "every council report is up to date",
        cursor=str(latest))


# every 30 minutes: the deadline is a morning, and each evaluation logs a line to `make ui`'s terminal
# ('superseded' in Dagster 1.13 by freshness policies, still a preview there)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=[freshness.published_is_fresh], name="published_file_freshness", minimum_interval_seconds=1800,
        default_status=dg.DefaultSensorStatus.RUNNING)
