"""Alarms a team can act on: a failed run at once, and a daily digest of failing WARN checks.

A WARN check lets the run finish green, and a failed nightly run is only seen by whoever opens
the UI. Both therefore become an alert (foundation/alerts.py: a file in alerts/ and the webhook).
A refused or badly quarantined file is alerted by the ingestion step that found it, in its run.
"""

import re
from datetime import datetime
from pathlib import Path

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from foundation.alerts import TIMEZONE, Alert, send
from foundation.settings import Settings, load_settings
from foundation.warn_checks import latest_evaluation

STARTED_FROM_TAG = "jeugdzorg/started_from"
# set on a run whose failure the terminal already alerted (no daemon was running then): the
# failure sensor, catching up once the daemon is back, must not alert it a second time
ALERTED_TAG = "jeugdzorg/alerted"


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


def own_message(error) -> str:
    """The message of the step's own error (a DisclosureError, a dbt failure), not that of Dagster's
    wrapper around it ("Error occurred while executing op ...")."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message if error is not None else ""


def step_failures(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step, error message) per failed step of the run; the run's own failure when no step failed."""
    failures = []
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records:
        event = record.event_log_entry.dagster_event
        failures.append((event.step_key or "run", own_message(event.event_specific_data.error)))
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


PUBLISHED_TAG = "jeugdzorg/published"
PUBLISH_STEP = "published_warehouse"


def publication_of(instance: dg.DagsterInstance, run_id: str) -> tuple[str, list[str]] | None:
    """What a successful run did to the BI file: 'yes', 'unchanged' (nothing new since the last
    publish: its steps were skipped on purpose) or 'no', with the blocking checks that did not pass
    (`asset / check`); None for a run without a publish step. A run can end green with its publish
    skipped, because a blocking check failed: the UI's green must then not read as a new file."""
    ends = instance.get_records_for_run(
        run_id, of_type={dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_SKIPPED}).records
    steps = {r.event_log_entry.step_key: r.event_log_entry.dagster_event.event_type for r in ends}
    if PUBLISH_STEP not in steps:
        return None
    blocked = sorted(f"{e.asset_key.to_user_string()} / {e.check_name}" for e in (
        r.event_log_entry.dagster_event.event_specific_data for r in instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000).records)
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR)
    if steps[PUBLISH_STEP] == dg.DagsterEventType.STEP_SUCCESS:
        return "yes", blocked
    unchanged = any(r.event_log_entry.dagster_event.asset_key == dg.AssetKey(PUBLISH_STEP) for r in
                    instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION).records)
    return ("unchanged" if unchanged and not blocked else "no"), blocked


def unpublished_run_alert(run: dg.DagsterRun, blocked: list[str], settings: Settings) -> Alert:
    lines = [f"Run `{run.run_id}` of job `{run.job_name}` ended without publishing: the BI file keeps its previous "
             "figures, although the run shows green.", ""]
    lines += [f"- blocking check **{b}** did not pass" for b in blocked] or [
        "- a step before the publish was skipped: the run's page says which, and why"]
    lines += ["", "What to do: open the run in the UI; a failed check's metadata names the file and line and says "
              "what to do. docs/runbook.md, 'The nightly run is red'."]
    return Alert("not_published", f"jeugdzorg-monitor: {run.job_name} did not publish", "\n".join(lines),
                 f"{settings.ui_url}/runs/{run.run_id}", run.run_id)


def mark_publication(instance: dg.DagsterInstance, run_id: str) -> Path | None:
    """Tag a successful run with what it did to the BI file (the runs list shows the tag), and raise
    an alert, once, when it did not publish. Returns the alert's file, if one was written."""
    outcome = publication_of(instance, run_id)
    run = instance.get_run_by_id(run_id)
    if outcome is None or run.tags.get(PUBLISHED_TAG):
        return None
    published, blocked = outcome
    instance.add_run_tags(run_id, {PUBLISHED_TAG: published})
    if published != "no":
        return None
    settings = load_settings()
    path = send(unpublished_run_alert(run, blocked, settings), settings)
    instance.add_run_tags(run_id, {ALERTED_TAG: "true"})
    return path


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, name="alert_on_unpublished_run",
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Tags every successful run with jeugdzorg/published (yes, unchanged or no) and, when "
                      "a run ended green without publishing (a blocking check failed), writes an alert to "
                      "$JEUGDZORG_DATA_DIR/alerts/ and posts it to the webhook.")
def alert_on_unpublished_run(context: dg.RunStatusSensorContext) -> None:
    mark_publication(context.instance, context.dagster_run.run_id)
