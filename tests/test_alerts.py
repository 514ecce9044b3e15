"""Alarms: a failed run and the daily WARN digest reach a file and a webhook on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from assets.ingest.assets import raw_declarations, reference_data
from checks.operational import operational_checks
from pipelines.alerts import alert_on_failed_run, warn_digest
from pipelines.definitions import defs
from pipelines.retraction import retract_file_job
from tests.conftest import write_declarations


class Webhook:
    """A webhook receiver on a free port of 127.0.0.1 that keeps every JSON body posted to it."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def webhook(monkeypatch, data_dir):
    hook = Webhook()
    monkeypatch.setenv("JEUGDZORG_ALERT_WEBHOOK_URL", hook.url)
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(data_dir))
    yield hook
    hook.server.shutdown()


def test_a_failed_run_raises_an_alert(warehouse, data_dir, webhook):
    with dg.DagsterInstance.ephemeral() as instance:
        result = retract_file_run(warehouse, instance)
        run = instance.get_run_by_id(result.run_id)
        failure = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records[0]
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_failed_run", dagster_instance=instance, dagster_run=run,
            dagster_event=failure.event_log_entry.dagster_event).for_run_failure()
        alert_on_failed_run(context)
        alert_on_failed_run(context)  # the daemon catching up on the same run: tagged, not alerted again
        assert instance.get_run_by_id(run.run_id).tags["jeugdzorg/alerted"] == "true"
    (posted,) = webhook.received
    assert posted["kind"] == "run_failed" and posted["run_id"] == run.run_id
    assert "**retract_file**: say why the file is retracted" in posted["text"]
    assert posted["url"].endswith(f"/runs/{run.run_id}")
    (written,) = (data_dir / "alerts").glob("*_run_failed.md")
    assert "say why the file is retracted" in written.read_text()


def retract_file_run(warehouse, instance) -> dg.ExecuteInProcessResult:
    """A run that fails: a retraction without a reason."""
    return retract_file_job.execute_in_process(
        run_config={"ops": {"retract_file": {"config": {"file": "a.csv", "reason": " "}}}},
        resources={"warehouse": warehouse}, instance=instance, raise_on_error=False)


def test_the_warn_digest_lists_failing_warn_checks_once_a_day(warehouse, data_dir, webhook, monkeypatch):
    monkeypatch.setenv("JEUGDZORG_DIGEST_HOUR", "0")
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    (data_dir / "raw/declarations/broken.xml").write_text("<Bericht>")
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize([reference_data, raw_declarations, *operational_checks[:4]], instance=instance,
                       resources={"warehouse": warehouse}, selection=[reference_data, raw_declarations])
        context = dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def())
        first = warn_digest(context)
        again = warn_digest(dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def(),
                                                    cursor=first.cursor))
    # the run's own alert of the broken file, then the digest
    assert [p["kind"] for p in webhook.received] == ["files_rejected", "warn_digest"]
    posted = webhook.received[1]
    assert "**raw_declarations / no_rejected_declarations_files_waiting**: files_waiting 1" in posted["text"]
    assert "make retract FILE=" in posted["text"]
    assert "declarations_quarantine_rate" not in posted["text"]  # it passed
    assert "already sent" in again.skip_reason.skip_message
    assert len(list((data_dir / "alerts").glob("*_warn_digest.md"))) == 1


def test_a_webhook_that_is_down_still_leaves_the_alert_file(data_dir, monkeypatch):
    from foundation.alerts import Alert, send
    from foundation.settings import load_settings

    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(data_dir))
    monkeypatch.setenv("JEUGDZORG_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nobody-listens")
    path = send(Alert("run_failed", "t", "body", "http://ui"), load_settings())
    assert path.read_text().startswith("# t\n\nbody")


def test_a_rejected_file_raises_an_alert_in_its_run_naming_it(warehouse, data_dir, webhook):
    write_declarations(data_dir / "raw/declarations/good.csv", [{}])
    (data_dir / "raw/declarations/garbage.csv").write_bytes(b"\x00\x01binary" * 100)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse},
                                instance=instance)
        assert result.success
        # the alert was sent from the ingestion step itself, before the run ended
        step_ends = [e.timestamp for e in instance.all_logs(result.run_id)
                     if e.dagster_event and e.dagster_event.is_step_success and e.step_key == "raw_declarations"]
        (written,) = (data_dir / "alerts").glob("*_files_rejected.md")
        assert written.stat().st_mtime <= step_ends[0]
        dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse}, instance=instance)
    (posted,) = webhook.received  # the next run reads no file: no second alert
    assert posted["kind"] == "files_rejected" and posted["run_id"] == result.run_id
    assert "- `declarations/garbage.csv`: binary content (NUL bytes)" in posted["text"]
    assert "good.csv" not in posted["text"] and "make retract FILE=" in posted["text"]
    assert "declarations/garbage.csv" in written.read_text()


def test_a_file_with_many_quarantined_lines_raises_an_alert_naming_it_and_the_rule(warehouse, data_dir, webhook):
    """20 lines of one file, two with a BSN that fails the elfproef (rule D02): 10 % held back, above
    the default 5 %. The clean file is not named, nor a two-line file with one such line: at that
    size one line is already 'too many', so it counts in its provider's share instead."""
    write_declarations(data_dir / "raw/declarations/clean.csv", [{}])
    write_declarations(data_dir / "raw/declarations/many.csv", [
        {"referentienummer": f"M{i}", **({"bsn": "999900007"} if i < 2 else {})} for i in range(20)])
    write_declarations(data_dir / "raw/declarations/small.csv", [{"referentienummer": "S1"},
                                                                  {"referentienummer": "S2", "bsn": "999900007"}])
    with dg.DagsterInstance.ephemeral() as instance:
        assert dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse},
                              instance=instance).success
    (posted,) = webhook.received
    assert posted["kind"] == "files_quarantined"
    assert "- `declarations/many.csv`: 2 of 20 lines held back, most by D02: " in posted["text"]
    assert "clean.csv" not in posted["text"] and "small.csv" not in posted["text"]
