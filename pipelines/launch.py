"""Start a job from the terminal as the UI would, and print its progress as a readable page.

A run started here is made from the code location that `workspace.yaml` loads, so it carries the
same origin as a run launched in the UI: it shows on the job's page and timeline, and counts as
the job's latest run. It is tagged `jeugdzorg/started_from=terminal`. While the Dagster daemon
runs (`make ui`), the run joins the instance's queue, which lets one run at a time touch the
working file. Without a daemon nobody serves that queue, so the run executes in this process;
a run that still holds the working file then makes it wait, and the wait is logged in the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from typing import IO, Any

import dagster as dg
from dagster._cli.job import _create_run
from dagster._core.events import DagsterEventType
from dagster._core.execution.api import execute_run
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.controller import get_daemon_statuses
from dagster._utils.hosted_user_process import recon_job_from_origin

from foundation.progress import is_progress_line
from foundation.settings import REPO_ROOT
from pipelines.alerts import STARTED_FROM_TAG, alert_failed_run, error_line, mark_publication, own_message

FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
POLL_SECONDS = 0.5
DAEMON_TOLERANCE_SECONDS = 60  # beyond the daemon's 30-second heartbeat interval
QUEUE_NOTE_SECONDS = 60  # how often a queued run says it is still waiting
PROGRESS_EVERY_SECONDS = 10  # off a terminal, a step's progress lines are at least this far apart
# the progress lines below replace the run's console log, which would print each of them again
SILENT_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def instance() -> dg.DagsterInstance:
    """The project's instance (DAGSTER_HOME, set by the Makefile), with its dagster.yaml (a copy of
    dagster_instance.yaml) in place."""
    home = os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home"))
    os.makedirs(home, exist_ok=True)
    if not os.path.exists(os.path.join(home, "dagster.yaml")):
        shutil.copyfile(REPO_ROOT / "dagster_instance.yaml", os.path.join(home, "dagster.yaml"))
    return dg.DagsterInstance.get()


def daemon_is_running(inst: dg.DagsterInstance) -> bool:
    """True when a daemon has reported in the last minute and a half that it serves the run queue.
    Dagster's own tolerance is half an hour: a `make run` just after `make ui` was stopped would
    queue its run for a daemon that is gone."""
    status = get_daemon_statuses(inst, ["QUEUED_RUN_COORDINATOR"], ignore_errors=True,
                                 heartbeat_tolerance_seconds=DAEMON_TOLERANCE_SECONDS)["QUEUED_RUN_COORDINATOR"]
    return bool(status.required and status.healthy)


@contextlib.contextmanager
def _workspace(inst: dg.DagsterInstance) -> Iterator[Any]:
    target = WorkspaceFileTarget(paths=[str(REPO_ROOT / "workspace.yaml")])
    with WorkspaceProcessContext(inst, target, code_server_log_level="WARNING") as process_context:
        yield process_context.create_request_context()


def launch(job_name: str, run_config: Mapping[str, Any] | None = None, out: IO[str] | None = None) -> DagsterRun:
    """Run `job_name` to its end, printing its progress to `out`; return the finished run."""
    out = out or sys.stdout
    with instance() as inst, _workspace(inst) as workspace:
        (entry,) = workspace.get_code_location_entries().values()
        if entry.code_location is None:
            raise RuntimeError(f"the code location did not load: {entry.load_error}")
        location = entry.code_location
        (repo,) = location.get_repositories().values()
        run = _create_run(instance=inst, code_location=location, remote_repo=repo,
                          remote_job=repo.get_full_job(job_name), run_config={**SILENT_CONSOLE, **(run_config or {})},
                          tags={STARTED_FROM_TAG: "terminal"}, op_selection=None, run_id=None)
        print(f"{job_name}: run {run.run_id}", file=out, flush=True)
        if daemon_is_running(inst):
            print("  the Dagster daemon is running: the run joins its queue (one run at a time)", file=out, flush=True)
            inst.submit_run(run.run_id, workspace)
            follow(inst, run.run_id, out)
        else:
            _execute_here(inst, run, out)
        return inst.get_run_by_id(run.run_id)


def _execute_here(inst: dg.DagsterInstance, run: DagsterRun, out: IO[str]) -> None:
    """Execute the run in this process; a helper thread prints its events meanwhile."""
    done = threading.Event()
    printer = threading.Thread(target=follow, args=(inst, run.run_id, out, done), daemon=True)
    printer.start()
    try:
        execute_run(recon_job_from_origin(run.job_code_origin), run, inst)
    finally:
        done.set()
        printer.join()
    # no daemon runs the sensors that watch a run's end, so the terminal raises the same alarms itself
    if inst.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE:
        path = alert_failed_run(inst, run.run_id)
    else:
        path = mark_publication(inst, run.run_id)
    if path:
        print(f"  alert written to {path}", file=out, flush=True)


def follow(inst: dg.DagsterInstance, run_id: str, out: IO[str], done: threading.Event | None = None) -> None:
    """Print the run's events as they are stored, until the run has finished (or `done` is set
    and everything stored has been printed). A queued run says every minute that it waits, and
    gives up following (the run stays queued) if the daemon that serves the queue is gone."""
    page = ProgressPage(out)
    cursor = None
    next_note = time.monotonic()
    while True:
        status = inst.get_run_by_id(run_id).status
        finished = (done is not None and done.is_set()) or status in FINISHED
        try:
            while True:
                batch = inst.get_records_for_run(run_id, cursor=cursor, limit=500)
                for record in batch.records:
                    page.add(record.event_log_entry)
                cursor = batch.cursor
                if not batch.has_more:
                    break
        except Exception as exc:  # the storage busy for a moment: the run goes on, so does following it
            print(f"  (could not read the run's events just now: {exc}; trying again)", file=out, flush=True)
        if finished:
            return
        if status == DagsterRunStatus.QUEUED and time.monotonic() >= next_note:
            if not daemon_is_running(inst):
                print("  the Dagster daemon stopped: the run stays queued and starts when `make ui` runs again",
                      file=out, flush=True)
                return
            print("  waiting in the run queue (one run at a time)", file=out, flush=True)
            next_note = time.monotonic() + QUEUE_NOTE_SECONDS
        time.sleep(POLL_SECONDS)


# dagster-dbt's own INFO lines about how it calls dbt: the step's dbt.log has them
DBT_CHATTER = ("A dbt subsetted execution", "Copying `", "Running dbt command", "Finished dbt command")


class ProgressPage:
    """One line per thing a person follows: a step's heading, what it logs, what failed, and how
    long it took. A step that says nothing and passes (most checks) takes no line, and a check
    step that fails takes one; everything stays in the UI's run log.

    Progress lines (foundation/progress.py: one at every tenth of a step's files) are redrawn in
    place on a terminal; written to a file or a pipe, a step prints one only when
    PROGRESS_EVERY_SECONDS have passed since its last, so a step of a few seconds prints none and
    the run log keeps them all."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.live = out.isatty()
        self.step: str | None = None  # the running step
        self.opened = False  # its heading is printed
        self.redrawn = False  # a progress line is on the screen without its newline
        self.last_progress = 0.0  # when the step last printed a progress line (event time)

    def _emit(self, line: str) -> None:
        if self.redrawn:
            print(file=self.out)
            self.redrawn = False
        print(line, file=self.out, flush=True)

    def _heading(self) -> None:
        if self.step and not self.opened:
            self._emit(f"  ▸ {self.step}")
            self.opened = True

    def _print(self, line: str) -> None:
        self._heading()
        self._emit(line)

    def _progress(self, entry: Any) -> None:
        line = f"      {entry.user_message}"
        if self.live:  # one screen line, rewritten; the next line printed ends it
            self._heading()
            print(f"\r\x1b[2K{line}" if self.redrawn else line, end="", file=self.out, flush=True)
            self.redrawn = True
        elif entry.timestamp - self.last_progress >= PROGRESS_EVERY_SECONDS:
            self._print(line)
            self.last_progress = entry.timestamp

    def add(self, entry: Any) -> None:
        event = entry.dagster_event
        if event is None:
            if entry.level < 20 or entry.user_message.startswith(DBT_CHATTER):
                return
            if is_progress_line(entry.user_message):
                self._progress(entry)
            else:
                self._print(f"      {entry.user_message}")
            return
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            self.step, self.opened, self.last_progress = event.step_key, False, entry.timestamp
        elif kind == DagsterEventType.STEP_SUCCESS:
            if self.opened:
                self._emit(f"    done in {event.event_specific_data.duration_ms / 1000:.1f} s")
            self.step = None
        elif kind == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            self._print(f"    FAILED: {error_line(own_message(error)) if error else event.message}")
        elif kind == DagsterEventType.STEP_SKIPPED:
            self._emit(f"  ▸ {event.step_key}: skipped (something upstream failed or did not pass)")
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION and not event.event_specific_data.passed:
            evaluation = event.event_specific_data
            line = (f"✗ {evaluation.severity.value} {evaluation.asset_key.to_user_string()} / "
                    f"{evaluation.check_name} did not pass")
            if self.opened:
                self._print(f"    {line}")
            else:  # a check's own step: the line says it all
                self._emit(f"  {line}")
        elif kind == DagsterEventType.RUN_FAILURE:
            self._print(f"  run failed: {event.message}")
