"""The night as a data team lives it: the real dagster-webserver and dagster-daemon on a free port,
Debian's chromium driving the UI, a webhook on 127.0.0.1.

It shows that the sensor ignores files already loaded and starts exactly one run for a new file,
that runs (from the terminal too) appear on their job's page, that a broken file's alert reaches
alerts/ and the webhook before its run ends, and that retracting a bad file lets the next run
publish. Screenshots of the page
go to test-artifacts/ when it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import requests

from tests.conftest import TEST_KEY, make_drop_folders, write_declarations
from tests.test_alerts import Webhook
from tests.test_retraction import BAD_LINE

pytestmark = pytest.mark.ui
REPO = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
LOCATION = "__repository__@pipelines.definitions"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, condition: Callable[[], object], timeout: float, every: float = 2.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


class Dagster:
    """The webserver and daemon of one temporary instance, and the GraphQL the UI itself uses."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.port = env, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env["JEUGDZORG_UI_URL"] = self.url
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = [
            subprocess.Popen([str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p",
                              str(self.port)], cwd=REPO, env=env, stdout=(logs / "webserver.log").open("w"),
                             stderr=subprocess.STDOUT),
            subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], cwd=REPO, env=env,
                             stdout=(logs / "daemon.log").open("w"), stderr=subprocess.STDOUT)]

    def graphql(self, query: str) -> dict:
        response = requests.post(f"{self.url}/graphql", json={"query": query}, timeout=30)
        response.raise_for_status()
        return response.json()["data"]

    def loaded(self) -> bool:
        try:
            data = self.graphql("{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }")
        except requests.RequestException:
            return False
        return bool(data["repositoriesOrError"].get("nodes"))

    def runs(self, job: str) -> list[dict]:
        data = self.graphql(f'{{ runsOrError(filter: {{pipelineName: "{job}"}}) {{ ... on Runs {{ results '
                            "{ runId status endTime tags { key value } } } } }")
        return data["runsOrError"]["results"]

    def sensor_ticks(self, sensor: str) -> list[dict]:
        data = self.graphql(
            '{ sensorOrError(sensorSelector: {repositoryName: "__repository__", repositoryLocationName: '
            f'"pipelines.definitions", sensorName: "{sensor}"}}) {{ ... on Sensor {{ sensorState {{ '
            "ticks(limit: 20) { status skipReason runIds } } } } }")
        return data["sensorOrError"]["sensorState"]["ticks"]

    def stale_status(self, asset: str) -> str:
        """Dagster's own verdict (the graph's "Unsynced"): FRESH, STALE or MISSING."""
        data = self.graphql(f'{{ assetNodes(assetKeys: [{{path: ["{asset}"]}}]) {{ staleStatus }} }}')
        return data["assetNodes"][0]["staleStatus"]

    def checks_in_run(self, asset: str, run_id: str) -> dict[str, str | None]:
        """Each check of an asset with the status of its evaluation in one run, as the check's
        execution history shows it (None: not evaluated there)."""
        data = self.graphql(f'{{ assetNodes(assetKeys: [{{path: ["{asset}"]}}]) {{ assetChecksOrError {{ '
                            "... on AssetChecks { checks { name } } } } }")
        statuses = {}
        for check in data["assetNodes"][0]["assetChecksOrError"]["checks"]:
            runs = self.graphql(f'{{ assetCheckExecutions(assetKey: {{path: ["{asset}"]}}, '
                                f'checkName: "{check["name"]}", limit: 20) {{ runId status }} }}')
            statuses[check["name"]] = next((e["status"] for e in runs["assetCheckExecutions"]
                                            if e["runId"] == run_id), None)
        return statuses

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def screenshots_on_failure(page, name: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failing page: {path}", file=sys.stderr)
        raise


def terminal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`make run` / `make retract` as a person types them (the Makefile's commands, without make)."""
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)


def test_a_night_in_the_ui(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    data = tmp_path / "data"
    make_drop_folders(data)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "dagster_instance.yaml", home / "dagster.yaml")
    hook = Webhook()
    env = {**os.environ, "DAGSTER_HOME": str(home), "JEUGDZORG_DATA_DIR": str(data),
           "JEUGDZORG_PSEUDONYM_KEY": TEST_KEY, "JEUGDZORG_MIN_CELL_SIZE": "1",
           "JEUGDZORG_ALERT_WEBHOOK_URL": hook.url}

    # yesterday's state: one file, loaded and published by `make run` from the terminal (no daemon yet)
    write_declarations(data / "raw/declarations/a.csv", [{}, {"referentienummer": "R2", "bsn": "123456782"}])
    first = terminal(env, "pipelines.refresh")
    assert first.returncode == 0, first.stderr[-3000:]
    terminal_run = first.stdout.split("nightly_refresh: run ")[1].split()[0]

    dagster = Dagster(env, tmp_path / "logs")
    try:
        wait_for("the webserver to load the code location", dagster.loaded, timeout=180)
        # the sensor has looked at raw/declarations/ and found only a file the registry knows
        # a tick that has finished: on a busy machine the first one may still be STARTED when it is first seen
        ticks = wait_for("a finished tick of new_declaration_files",
                         lambda: [t for t in dagster.sensor_ticks("new_declaration_files") if t["status"] != "STARTED"],
                         timeout=120)
        assert ticks[0]["status"] == "SKIPPED" and "no new files" in ticks[0]["skipReason"]
        assert dagster.runs("ingest_declarations") == []

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            with screenshots_on_failure(page, "nightly_refresh_job_page"):
                page.goto(f"{dagster.url}/locations/{LOCATION}/jobs/nightly_refresh/runs")
                expect(page.get_by_text(terminal_run[:8]).first).to_be_visible(timeout=60_000)

            # a provider delivers a file with one impossible line: exactly one ingestion run, which
            # quarantines that line (rule D11), and, as it loaded a new row, one refresh that publishes the rest
            write_declarations(data / "raw/declarations/b.csv", [{"referentienummer": "R4"}, BAD_LINE])
            (run,) = wait_for("the sensor's run to finish", lambda: [
                r for r in dagster.runs("ingest_declarations") if r["status"] in ("SUCCESS", "FAILURE")],
                timeout=420, every=5)
            assert run["status"] == "SUCCESS"
            assert {"key": "new_files", "value": "1"} in run["tags"]
            assert len(dagster.runs("ingest_declarations")) == 1
            (refreshed,) = wait_for("the refresh after the new rows to finish", lambda: [
                r for r in dagster.runs("refresh_after_ingestion") if r["status"] in ("SUCCESS", "FAILURE")],
                timeout=420, every=5)
            assert refreshed["status"] == "SUCCESS"
            assert {"key": "jeugdzorg/after_ingestion", "value": run["runId"]} in refreshed["tags"]
            with screenshots_on_failure(page, "ingest_job_page"):
                page.goto(f"{dagster.url}/locations/{LOCATION}/jobs/ingest_declarations/runs")
                expect(page.get_by_text(run["runId"][:8]).first).to_be_visible(timeout=60_000)
                page.screenshot(path=str(tmp_path / "ingest_job_page.png"))
            with duckdb.connect(str(data / "warehouse/jeugdzorg.duckdb"), read_only=True) as con:
                assert con.execute("SELECT sum(spend_eur) FROM marts.cost_trends_by_municipality").fetchone()[0] == 150

            # a broken delivery: 20 KB of random bytes saved as .csv. Its run is green (the file is refused,
            # the rest goes on), and the alert naming it is in alerts/ and at the webhook before the run ends
            (data / "raw/declarations/c.csv").write_bytes(os.urandom(20_000) + b"\x00")
            (broken,) = wait_for("the sensor's run for the broken file to finish", lambda: [
                r for r in dagster.runs("ingest_declarations")
                if r["runId"] != run["runId"] and r["status"] in ("SUCCESS", "FAILURE")], timeout=420, every=5)
            assert broken["status"] == "SUCCESS"
            assert {"key": "jeugdzorg/files", "value": "c.csv"} in broken["tags"]
            (alert,) = (data / "alerts").glob("*_files_rejected.md")
            assert "`declarations/c.csv`: binary content (NUL bytes)" in alert.read_text()
            assert alert.stat().st_mtime <= broken["endTime"]
            posted = [p for p in hook.received if p["kind"] == "files_rejected"]
            assert len(posted) == 1 and posted[0]["run_id"] == broken["runId"]
            assert "declarations/c.csv" in posted[0]["text"]
            # it loaded no row, so nothing more is rebuilt: the sensor says so, and no second refresh starts
            (passed_over, *_) = wait_for("refresh_after_new_rows to pass over the broken file's run", lambda: [
                t for t in dagster.sensor_ticks("refresh_after_new_rows")
                if t["status"] == "SKIPPED" and broken["runId"][:8] in (t["skipReason"] or "")], timeout=180)
            assert "loaded no new row" in passed_over["skipReason"]
            assert len(dagster.runs("refresh_after_ingestion")) == 1

            # the team retracts the file from the terminal; the next run publishes again
            retracted = terminal(env, "pipelines.retraction", "b.csv", "wrong month; a corrected file follows")
            assert retracted.returncode == 0, retracted.stdout[-3000:] + retracted.stderr[-3000:]
            assert "joins its queue" in retracted.stdout  # the daemon runs: one run at a time
            assert "sensor refresh_after_retraction queues nightly_refresh" in retracted.stdout
            # the rows left changed the ingestion's data version: Dagster marks the models on it Unsynced,
            # and `make health` says what that means for the BI file: stale, down to the published file
            # (the refresh is only queued: the daemon takes it up after this look)
            assert dagster.stale_status("declaration_lines") == "STALE"
            health = terminal(env, "pipelines.health")
            assert re.search(r"published_warehouse +(failing WARN, )?stale ", health.stdout), health.stdout
            # and the retraction's run evaluated the ingestion's checks again on the rows left (the queued
            # refresh may already have started and be checking a newer materialization)
            (retraction,) = dagster.runs("retract_a_file")
            rechecked = dagster.checks_in_run("raw_declarations", retraction["runId"])
            assert rechecked and set(rechecked.values()) <= {"SUCCEEDED", "FAILED"}, rechecked
            night = terminal(env, "pipelines.refresh")
            assert night.returncode == 0, night.stdout[-3000:] + night.stderr[-3000:]
            # the refresh the retraction queued itself ran too (before or after the one typed in the terminal)
            wait_for("the refresh queued after the retraction", lambda: [
                r for r in dagster.runs("nightly_refresh") if r["status"] == "SUCCESS"
                and any(t["key"] == "jeugdzorg/after_retraction" for t in r["tags"])], timeout=420, every=5)
            with screenshots_on_failure(page, "nightly_refresh_after_retraction"):
                night_run = night.stdout.split("nightly_refresh: run ")[1].split()[0]
                page.goto(f"{dagster.url}/runs/{night_run}")
                expect(page.get_by_text("Success").first).to_be_visible(timeout=60_000)
            browser.close()
        # the refresh brought everything up to date
        assert dagster.stale_status("declaration_lines") == "FRESH"
        assert "stale" not in terminal(env, "pipelines.health").stdout
        with duckdb.connect(str(data / "warehouse/jeugdzorg.duckdb"), read_only=True) as con:
            assert con.execute("SELECT sum(spend_eur) FROM marts.cost_trends_by_municipality").fetchone()[0] == 100
            assert con.execute("SELECT sum(files) FROM marts.data_quality_summary WHERE kind = 'declarations' "
                               "AND status = 'retracted'").fetchone() == (1,)
        with duckdb.connect(str(data / "warehouse/pipeline.duckdb"), read_only=True) as con:  # per file: working file
            assert con.execute("SELECT status FROM marts.data_quality WHERE source_file = 'declarations/b.csv'"
                               ).fetchone() == ("retracted",)
        assert len(dagster.runs("ingest_declarations")) == 2  # b.csv and c.csv are known: no third run
    except BaseException:
        for log in sorted((tmp_path / "logs").glob("*.log")):
            print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-40:]), file=sys.stderr)
        print("webhook received: " + json.dumps(hook.received)[:2000], file=sys.stderr)
        raise
    finally:
        dagster.stop()
        hook.server.shutdown()
