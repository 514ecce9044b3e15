"""What makes a check a WARN check, in one place: its definition says so.

A WARN check reports and lets the night go on. Its verdict must still reach the people who read
the BI file and the council letters (the monthly letter's "what went wrong"), so the publish step
writes every WARN check's latest verdict into the published file (through registry.warn_verdicts).
That needs two things known before a check has run, which a check result (its severity) only
says afterwards: that it is a WARN check, and what it watches in plain Dutch. Both are metadata
of the check's definition (`checks/warn.py` for Python checks, and so for the one-query checks a
model's YAML declares under meta.warn_checks, `checks/declared_warn.py`; a dbt test's `config.meta`
for dbt's), read here.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import duckdb
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

SEVERITY_KEY = "jeugdzorg/severity"
LABEL_KEY = "jeugdzorg/label_nl"

# the Dutch name of each kind of input file, as the letters and the check labels print it
KIND_NL = {"declarations": "declaraties", "surveys": "uitkomstvragenlijsten", "allocations": "toewijzingen",
           "care_starts": "startberichten", "care_stops": "stopberichten", "reference": "referentiebestanden"}


def warn_metadata(label_nl: str) -> dict[str, str]:
    """The definition metadata of a WARN check whose norm is `label_nl` (a Dutch sentence)."""
    if not label_nl.strip():
        raise ValueError("a WARN check needs a Dutch label: the letters print it")
    return {SEVERITY_KEY: "WARN", LABEL_KEY: label_nl.strip()}


def is_warn(metadata: Mapping[str, Any]) -> bool:
    value = metadata.get(SEVERITY_KEY)
    return getattr(value, "value", value) == "WARN"


def label(metadata: Mapping[str, Any]) -> str:
    value = metadata[LABEL_KEY]
    return getattr(value, "value", value)


def latest_evaluation(instance: dg.DagsterInstance, key: dg.AssetCheckKey) -> AssetCheckExecutionRecord | None:
    """The check's latest evaluation that ran (passed or failed). A check that was planned but did
    not run (a blocking check upstream failed) keeps its last verdict rather than hiding it."""
    ran = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
    history = instance.event_log_storage.get_asset_check_execution_history(key, limit=1, status=ran)
    return history[0] if history and history[0].event is not None else None


def record_verdicts(con: duckdb.DuckDBPyConnection, instance: dg.DagsterInstance,
                    checks: Iterable[tuple[dg.AssetCheckKey, Mapping[str, Any]]]) -> int:
    """Rewrite registry.warn_verdicts with the latest verdict of each WARN check among `checks`
    (key, definition metadata); returns how many of them do not pass."""
    rows = []
    for key, metadata in sorted(checks, key=lambda kv: kv[0].to_user_string()):
        if not is_warn(metadata):
            continue
        record = latest_evaluation(instance, key)
        passed = at = run_id = None
        if record is not None:
            passed = bool(record.event.dagster_event.event_specific_data.passed)
            at = datetime.fromtimestamp(record.event.timestamp, UTC).replace(tzinfo=None)
            run_id = record.run_id
        rows.append((key.name, key.asset_key.to_user_string(), label(metadata), passed, at, run_id))
    con.execute("DELETE FROM registry.warn_verdicts")
    if rows:
        con.executemany("INSERT INTO registry.warn_verdicts VALUES (?, ?, ?, ?, ?, ?)", rows)
    return sum(1 for r in rows if r[3] is False)
