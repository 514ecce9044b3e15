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
from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest.files import discover
from pipelines.core.warehouse import Warehouse
from pipelines.jobs import ingest_declarations_job, ingest_messages_jobs, ingest_surveys_job


def registered_files(warehouse: Warehouse, kind: str) -> set[str] | None:
    """The registry's file names of `kind` (as `kind/name`); None while a run holds the working file."""
    if not warehouse.working_db.exists():
        return set()
    try:
        with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
            if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'registry' "
                               "AND table_name = 'files'").fetchone()[0]:
                return set()
            return {r[0] for r in con.execute("SELECT source_file FROM registry.files WHERE kind = ?",
                                              [kind]).fetchall()}
    except (duckdb.IOException, duckdb.ConnectionException):
        return None


def new_files_request(folder: Path, suffixes: tuple[str, ...], registered: set[str],
                      cursor: str | None) -> tuple[list[str], str]:
    """The files neither registered nor already requested, and the cursor: every file not registered yet."""
    requested: set[str] = set(json.loads(cursor)) if cursor else set()
    unregistered = {f"{p.name}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in discover(folder, suffixes)
                    if f"{folder.name}/{p.name}" not in registered}
    return sorted(unregistered - requested), json.dumps(sorted(unregistered))


def build_file_sensor(name: str, kind: str, suffixes: tuple[str, ...], job_name: str) -> dg.SensorDefinition:
    @dg.sensor(name=name, job_name=job_name, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description=f"Starts ingestion when files the registry has never seen land in raw/{kind}/.")
    def _sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.SensorResult:
        registered = registered_files(warehouse, kind)
        if registered is None:
            return dg.SensorResult(skip_reason="a run holds the working file; looking again at the next tick",
                                   cursor=context.cursor)
        new, cursor = new_files_request(warehouse.raw_dir / kind, suffixes, registered, context.cursor)
        if not new:
            return dg.SensorResult(skip_reason=f"no new files in raw/{kind}/", cursor=cursor)
        run_key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:32]
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags={"new_files": str(len(new))})], cursor=cursor)

    return _sensor


new_declaration_files = build_file_sensor("new_declaration_files", "declarations", (".xml", ".csv"),
                                          ingest_declarations_job.name)
new_survey_files = build_file_sensor("new_survey_files", "surveys", (".csv", ".xlsx"), ingest_surveys_job.name)
new_message_files = [build_file_sensor(f"new_{kind}_files", kind, (".xml",), job.name)
                     for kind, job in ingest_messages_jobs.items()]
