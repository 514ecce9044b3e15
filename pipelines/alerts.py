"""Alarms a team can act on: a failed run at once, and a daily digest of failing WARN checks.

A WARN check lets the run finish green, and a failed nightly run is only seen by whoever opens
the UI. Both therefore become an alert: a Markdown file in $JEUGDZORG_DATA_DIR/alerts/ (kept,
so the history is there even without a webhook) and, when JEUGDZORG_ALERT_WEBHOOK_URL is set, a
JSON POST to it. The body carries `text` (Markdown), which Slack and Mattermost incoming
webhooks show as is, plus `kind`, `title`, `run_id` and `url` for anything else (a Teams
workflow, for example, can pick those out).
"""

import json
import re
import urllib.request
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from foundation.settings import Settings, load_settings
from foundation.warn_checks import latest_evaluation

TIMEZONE = ZoneInfo("Europe/Amsterdam")
STARTED_FROM_TAG = "jeugdzorg/started_from"
# set on a run whose failure the terminal already alerted (no daemon was running then): the
# failure sensor, catching up once the daemon is back, must not alert it a second time
ALERTED_TAG = "jeugdzorg/alerted"
WEBHOOK_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failed | warn_digest | files_rejected
    title: str
    text: str  # Markdown
    url: str
    run_id: str | None = None


def send(alert: Alert, settings: Settings) -> Path:
    """Write the alert to its file, then post it; a webhook that fails is logged, never raised:
    the file is written either way, and the alarm must not become the failure."""
    folder = settings.data_dir / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(TIMEZONE).strftime("%Y-%m-%dT%H%M%S")
    path = folder / f"{stamp}_{alert.kind}.md"
    path.write_text(f"# {alert.title}\n\n{alert.text}\n\n{alert.url}\n", encoding="utf-8")
    if settings.alert_webhook_url:
        request = urllib.request.Request(settings.alert_webhook_url, data=json.dumps(asdict(alert)).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS):
                pass
        except OSError as exc:
            dg.get_dagster_logger().warning(f"alert written to {path}, but the webhook failed: {exc}")
    return path


def failed_run_alert(run: dg.DagsterRun, failures: list[tuple[str, str]], settings: Settings) -> Alert:
    """`failures`: (step, error message) per failed step."""
    lines = [f"Run `{run.run_id}` of job `{run.job_name}` failed"
             f"{' (started from the terminal)' if run.tags.get(STARTED_FROM_TAG) else ''}. "
             "The BI file keeps its previous figures.", ""]
    lines += [f"- **{step}**: {error_line(message)}" for step, message in failures] or ["- see the run's log"]
    lines += ["", "What to do: open the run in the UI; a failed check's metadata names the file and line and "
              "says what to do. docs/runbook.md, 'The nightly run is red'."]
    return Alert("run_failed", f"jeugdzorg-monitor: {run.job_name} failed", "\n".join(lines),
                 f"{settings.ui_url}/runs/{run.run_id}", run.run_id)


def error_line(message: str) -> str:
    """The first line of an error, without the exception's class path (dagster._core...Failure: )."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    return re.sub(r"\s+", " ", re.sub(r"^[\w.]+(Error|Failure|Exception): ", "", first))[:300]


def step_failures(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step, error message) per failed step of the run; the run's own failure when no step failed."""
    failures = []
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records:
        event = record.event_log_entry.dagster_event
        error = event.event_specific_data.error
        failures.append((event.step_key or "run", error.message if error else ""))
    if not failures:
        for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records:
            failures.append(("run", record.event_log_entry.dagster_event.message or ""))
    return failures


def alert_failed_run(instance: dg.DagsterInstance, run_id: str) -> Path:
    """Send the alert of a failed run once: the run is tagged as alerted."""
    settings = load_settings()
    path = send(failed_run_alert(instance.get_run_by_id(run_id), step_failures(instance, run_id), settings),
                settings)
    instance.add_run_tags(run_id, {ALERTED_TAG: "true"})
    return path


@dg.run_failure_sensor(name="alert_on_failed_run", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Writes an alert to $JEUGDZORG_DATA_DIR/alerts/ and posts it to "
                       "JEUGDZORG_ALERT_WEBHOOK_URL (when set) for every failed run.")
def alert_on_failed_run(context: dg.RunFailureSensorContext) -> None:
    run = context.instance.get_run_by_id(context.dagster_run.run_id)  # its tags now, not when it failed
    if run.tags.get(ALERTED_TAG):
        return  # alerted already (by the terminal, when no daemon ran)
    alert_failed_run(context.instance, context.dagster_run.run_id)


def failing_warn_checks(instance: dg.DagsterInstance, check_keys: list[dg.AssetCheckKey]) -> list[dict]:
    """The WARN checks whose latest evaluation that ran did not pass, with what their metadata says."""
    failing = []
    for key in sorted(check_keys, key=lambda k: k.to_user_string()):
        record = latest_evaluation(instance, key)
        if record is None or record.status != AssetCheckExecutionRecordStatus.FAILED:
            continue
        evaluation = record.event.dagster_event.event_specific_data
        if evaluation.severity != dg.AssetCheckSeverity.WARN:
            continue
        counts = {k: v.value for k, v in evaluation.metadata.items() if isinstance(v.value, int | float)}
        failing.append({"check": key.name, "asset": key.asset_key.to_user_string(), "run_id": record.run_id,
                        "counts": counts, "what_to_do": getattr(evaluation.metadata.get("what_to_do"), "value", "")})
    return failing


def digest_alert(failing: list[dict], settings: Settings, day: str) -> Alert:
    lines = [f"{len(failing)} WARN check(s) did not pass at their latest run. They did not stop the night run; "
             "each asks a person to look.", ""]
    for f in failing:
        counts = ", ".join(f"{k} {v:g}" for k, v in f["counts"].items())
        lines.append(f"- **{f['asset']} / {f['check']}**{f': {counts}' if counts else ''}")
        if f["what_to_do"]:
            lines.append(f"  - {f['what_to_do']}")
    lines += ["", "docs/runbook.md, 'A WARN digest arrives', says what each one asks of you."]
    return Alert("warn_digest", f"jeugdzorg-monitor: WARN checks on {day}", "\n".join(lines),
                 f"{settings.ui_url}/asset-groups", None)


@dg.sensor(name="warn_digest", minimum_interval_seconds=600, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Once a day from JEUGDZORG_DIGEST_HOUR (default 07:00 Europe/Amsterdam): the WARN checks "
           "that fail at their latest run, written to $JEUGDZORG_DATA_DIR/alerts/ and posted to the webhook.")
def warn_digest(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    settings = load_settings()
    now = datetime.now(TIMEZONE)
    day = now.date().isoformat()
    if context.cursor == day:
        return dg.SensorResult(skip_reason=f"today's digest ({day}) was already sent", cursor=day)
    if now.hour < settings.digest_hour:
        return dg.SensorResult(skip_reason=f"the digest goes out from {settings.digest_hour:02d}:00",
                               cursor=context.cursor)
    check_keys = list(context.repository_def.asset_graph.asset_check_keys)
    failing = failing_warn_checks(context.instance, check_keys)
    if not failing:
        return dg.SensorResult(skip_reason="every WARN check passes: no digest today", cursor=day)
    path = send(digest_alert(failing, settings, day), settings)
    return dg.SensorResult(skip_reason=f"digest of {len(failing)} failing WARN check(s) sent ({path.name})",
                           cursor=day)


INGEST_ASSETS = ("raw_declarations", "raw_surveys", "raw_allocations", "raw_care_starts", "raw_care_stops")


def rejected_files_alert(kind: str, files_md: str, run_id: str, settings: Settings) -> Alert:
    """A delivery refused in this run, by name and reason (names as the registry shows them: a
    BSN-like number in one is a keyed token), with what to do about it."""
    rejected = [line.removeprefix("- ") for line in files_md.splitlines() if line.startswith("- ")]
    lines = [f"{len(rejected)} file(s) in raw/{kind.removeprefix('raw_')}/ were rejected in run `{run_id}`; the "
             "other files loaded and the run goes on. A rejected file adds nothing until it is dealt with:", ""]
    lines += [f"- {r}" for r in rejected]
    lines += ["", "What to do: ask the provider for a corrected delivery under the same name (the next run reads "
              "it), or acknowledge a file that will not come back with "
              "`make retract FILE=<kind/name> REASON='why'`. docs/refresh.md, 'Untrusted input'."]
    return Alert("files_rejected", f"jeugdzorg-monitor: {len(rejected)} file(s) rejected", "\n".join(lines),
                 f"{settings.ui_url}/runs/{run_id}", run_id)


def _rejected_files_sensor(context: dg.MultiAssetSensorEvaluationContext) -> dg.SensorResult:
    """One alert per ingestion step that rejected a file, as soon as it is recorded."""
    settings = load_settings()
    sent = []
    for key, record in context.latest_materialization_records_by_key().items():
        if record is None:
            continue
        metadata = record.asset_materialization.metadata
        if getattr(metadata.get("files_rejected"), "value", 0):
            alert = rejected_files_alert(key.to_user_string(), metadata["rejected_files"].value, record.run_id,
                                         settings)
            sent.append(send(alert, settings).name)
        context.advance_cursor({key: record})
    return dg.SensorResult(skip_reason=f"alerts sent: {', '.join(sent)}" if sent else "no file rejected")


# a multi-asset sensor is 'superseded' in Dagster 1.13 (Declarative Automation launches runs; it sends no
# alerts), and its warning would print at every load of the code location
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    alert_on_rejected_files = dg.multi_asset_sensor(
        monitored_assets=[dg.AssetKey(k) for k in INGEST_ASSETS], name="alert_on_rejected_files",
        minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
        description="Writes an alert to $JEUGDZORG_DATA_DIR/alerts/ and posts it to the webhook as soon as an "
        "ingestion step rejects a file, naming each file and its reason, while the run goes on.",
    )(_rejected_files_sensor)
