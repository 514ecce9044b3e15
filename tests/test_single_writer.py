"""One writer at a time: runs queue one by one, and a connection waits for a held working file."""

import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.scheduler.instigation import InstigatorType, TickStatus

from tests.conftest import hold_working_file

REPO = Path(__file__).parent.parent


def test_instance_runs_one_run_at_a_time(tmp_path):
    shutil.copyfile(REPO / "dagster_instance.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        # a sensor ticks every minute: its skipped ticks must not pile up in .dagster_home forever
        kept = instance.get_tick_retention_settings(InstigatorType.SENSOR)
        assert kept[TickStatus.SKIPPED] == 7 and kept[TickStatus.SUCCESS] == 90


def test_connect_waits_for_another_writer(warehouse):
    with warehouse.connect():
        pass  # create the file
    holder = hold_working_file(warehouse.working_db, 3)
    started = time.monotonic()
    with warehouse.connect() as con:
        assert con.execute("SELECT 1").fetchone() == (1,)
    assert time.monotonic() - started >= 1
    holder.wait()


def test_connect_gives_up_after_the_wait(warehouse):
    with warehouse.connect():
        pass
    holder = hold_working_file(warehouse.working_db, 5)
    impatient = warehouse.model_copy(update={"lock_wait_seconds": 0})
    with pytest.raises(duckdb.IOException, match="lock"), impatient.connect():
        pass
    holder.kill()


def test_a_run_that_waits_for_the_working_file_says_so_in_its_log(warehouse):
    from assets.ingest.assets import reference_data

    with warehouse.connect():
        pass
    holder = hold_working_file(warehouse.working_db, 3)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([reference_data], resources={"warehouse": warehouse}, instance=instance)
        messages = [e.user_message for e in instance.all_logs(result.run_id) if e.dagster_event is None]
    holder.wait()
    waiting = [m for m in messages if m.startswith("waiting for the working file")]
    assert waiting and f"PID {holder.pid}" in waiting[0]
    assert any(m.startswith("got the working file after waiting") for m in messages)
