"""One writer at a time: runs queue one by one, and a connection waits for a held working file."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

REPO = Path(__file__).parent.parent


def test_instance_runs_one_run_at_a_time(tmp_path):
    shutil.copyfile(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep({seconds})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_connect_waits_for_another_writer(warehouse):
    with warehouse.connect():
        pass  # create the file
    holder = _hold(warehouse.working_db, 3)
    started = time.monotonic()
    with warehouse.connect() as con:
        assert con.execute("SELECT 1").fetchone() == (1,)
    assert time.monotonic() - started >= 1
    holder.wait()


def test_connect_gives_up_after_the_wait(warehouse):
    with warehouse.connect():
        pass
    holder = _hold(warehouse.working_db, 5)
    impatient = warehouse.model_copy(update={"lock_wait_seconds": 0})
    with pytest.raises(duckdb.IOException, match="lock"), impatient.connect():
        pass
    holder.kill()
