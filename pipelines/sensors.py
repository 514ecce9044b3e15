"""Sensors that start ingestion when new files land in a raw drop folder.

The cursor remembers every file (name, size, modification time) already handed to a run, so a
file triggers exactly one run; the run key is derived from the new files, so Dagster also
refuses a duplicate run should the cursor ever be lost.
"""


import hashlib
import json
from pathlib import Path

import dagster as dg

from assets.ingest.files import discover
from pipelines.core.warehouse import Warehouse
from pipelines.jobs import ingest_declarations_job, ingest_surveys_job


def new_files_request(folder: Path, suffixes: tuple[str, ...], cursor: str | None) -> tuple[list[str], str]:
    """The files not in the cursor yet, and the cursor that includes them."""
    seen: set[str] = set(json.loads(cursor)) if cursor else set()
    current = {f"{p.name}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in discover(folder, suffixes)}
    new = sorted(current - seen)
    return new, json.dumps(sorted(seen | current))


def build_file_sensor(name: str, kind: str, suffixes: tuple[str, ...], job_name: str) -> dg.SensorDefinition:
    @dg.sensor(name=name, job_name=job_name, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description=f"Starts ingestion when new files land in raw/{kind}/.")
    def _sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.SensorResult:
        new, cursor = new_files_request(warehouse.raw_dir / kind, suffixes, context.cursor)
        if not new:
            return dg.SensorResult(skip_reason=f"no new files in raw/{kind}/", cursor=cursor)
        run_key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:32]
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags={"new_files": str(len(new))})], cursor=cursor)

    return _sensor


new_declaration_files = build_file_sensor("new_declaration_files", "declarations", (".xml", ".csv"),
                                          ingest_declarations_job.name)
new_survey_files = build_file_sensor("new_survey_files", "surveys", (".csv", ".xlsx"), ingest_surveys_job.name)
