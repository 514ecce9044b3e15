"""Platform mode's Dagster instance (deploy/dagster_platform.yaml; issue 40, docs/platform.md) on the
session's throwaway PostgreSQL (tests/postgres.py): runs, their events and schedule ticks are kept in
PostgreSQL and read back by a second instance object; the run queue holds the declared limits, and
the daemon's dequeue starts one run per youth-care region."""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.remote_origin import GrpcServerCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.scheduler.instigation import InstigatorType, TickData, TickStatus
from dagster._core.utils import make_new_run_id
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

from pipelines.platform import INSTANCE_DATABASE_ENV, PLATFORM_INSTANCE_YAML, REGION_RUN_TAG
from tests.postgres import SUPERUSER, Postgres

INSTANCE_ROLE = "jeugdzorg_dagster"
INSTANCE_PASSWORD = "dagster-pw-test-only"  # on the throwaway server only; the instance reads it from the environment
_databases = itertools.count()
# where a queued run will be launched from: the code location's gRPC server, as deploy/helm/values.yaml runs it
CODE_LOCATION = GrpcServerCodeLocationOrigin(host="jeugdzorg-monitor", port=3030, location_name="jeugdzorg-monitor")
REGION_JOB = RemoteJobOrigin(repository_origin=RemoteRepositoryOrigin(code_location_origin=CODE_LOCATION,
                                                                      repository_name="__repository__"),
                             job_name="region_refresh")


@contextmanager
def superuser(postgres: Postgres, database: str = "postgres") -> Iterator[psycopg2.extensions.cursor]:
    """A cursor of the server's superuser, each statement committed on its own (CREATE DATABASE must be)."""
    with closing(psycopg2.connect(host=postgres.host, port=postgres.port, user=SUPERUSER,
                                  password=postgres.password, dbname=database)) as con:
        con.autocommit = True
        with con.cursor() as cur:
            yield cur


@dataclass(frozen=True)
class PlatformHome:
    folder: Path  # DAGSTER_HOME
    database: str


@pytest.fixture
def dagster_home(postgres: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlatformHome:
    """DAGSTER_HOME holding deploy/dagster_platform.yaml as its dagster.yaml, on a fresh database owned
    by the instance's own role, its login in the environment variables the yaml names."""
    database = f"dagster_{next(_databases)}"
    with superuser(postgres) as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [INSTANCE_ROLE])
        if not cur.fetchone():
            cur.execute(f"CREATE ROLE {INSTANCE_ROLE} LOGIN PASSWORD %s", [INSTANCE_PASSWORD])
        cur.execute(f"CREATE DATABASE {database} OWNER {INSTANCE_ROLE}")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PLATFORM_INSTANCE_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for field, value in {"hostname": postgres.host, "port": str(postgres.port), "db_name": database,
                         "username": INSTANCE_ROLE, "password": INSTANCE_PASSWORD}.items():
        monkeypatch.setenv(INSTANCE_DATABASE_ENV[field], value)
    return PlatformHome(folder=home, database=database)


def region_run(instance: DagsterInstance, region: str, status: DagsterRunStatus) -> DagsterRun:
    return instance.add_run(DagsterRun(job_name=REGION_JOB.job_name, run_id=make_new_run_id(), status=status,
                                       tags={REGION_RUN_TAG: region}, remote_job_origin=REGION_JOB))


def test_runs_events_and_ticks_live_in_postgresql(postgres, dagster_home):
    with DagsterInstance.get() as instance:
        assert [type(storage).__name__ for storage in (instance.run_storage, instance.event_log_storage,
                                                       instance.schedule_storage)] == \
            ["PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage"]
        run = region_run(instance, "Flevoland", DagsterRunStatus.QUEUED)
        instance.report_engine_event("Flevoland's refresh is waiting for its region", run)
        tick = instance.create_tick(TickData(
            instigator_origin_id="new_declarations_origin", instigator_name="new_declarations",
            instigator_type=InstigatorType.SENSOR, status=TickStatus.SKIPPED, timestamp=time.time(),
            selector_id="new_declarations_selector", skip_reason="no new files"))

    with DagsterInstance.get() as reread:  # a second instance object: nothing is shared but the database
        assert reread.get_run_by_id(run.run_id).tags == {REGION_RUN_TAG: "Flevoland"}
        assert reread.get_run_by_id(run.run_id).status == DagsterRunStatus.QUEUED
        assert "Flevoland's refresh is waiting for its region" in [
            entry.message for entry in reread.all_logs(run.run_id)]
        ticks = reread.get_ticks("new_declarations_origin", "new_declarations_selector")
        assert [(t.tick_id, t.status, t.skip_reason) for t in ticks] == \
            [(tick.tick_id, TickStatus.SKIPPED, "no new files")]

    with superuser(postgres, dagster_home.database) as cur:  # what PostgreSQL itself holds
        cur.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'")
        owners = dict(cur.fetchall())
        assert {"runs", "run_tags", "event_logs", "job_ticks", "instigators"} <= set(owners)
        assert set(owners.values()) == {INSTANCE_ROLE}  # made by the instance's own role, not the superuser
        cur.execute("SELECT run_id, status FROM runs")
        assert cur.fetchall() == [(run.run_id, "QUEUED")]
        cur.execute("SELECT count(*) FROM event_logs WHERE run_id = %s", [run.run_id])
        assert cur.fetchone()[0] >= 1
        cur.execute("SELECT status FROM job_ticks WHERE selector_id = 'new_declarations_selector'")
        assert cur.fetchall() == [("SKIPPED",)]
    # no SQLite storage beside it: file mode's .dagster_home keeps history/runs.db and schedules/schedules.db
    assert not list(dagster_home.folder.rglob("*.db"))


def test_the_run_queue_starts_one_run_per_region(dagster_home):
    declared = [{"key": REGION_RUN_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]
    with DagsterInstance.get() as instance:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.run_coordinator.inst_data.config_dict["tag_concurrency_limits"] == declared
        queue = instance.get_concurrency_config().run_queue_config  # what the daemon applies
        assert (queue.max_concurrent_runs, queue.tag_concurrency_limits) == (8, declared)

        region_run(instance, "Utrecht", DagsterRunStatus.STARTED)  # in progress: holds Utrecht's one place
        utrecht_waiting = region_run(instance, "Utrecht", DagsterRunStatus.QUEUED)
        flevoland_first = region_run(instance, "Flevoland", DagsterRunStatus.QUEUED)
        flevoland_second = region_run(instance, "Flevoland", DagsterRunStatus.QUEUED)
        twente = region_run(instance, "Twente", DagsterRunStatus.QUEUED)

        # the queued run coordinator daemon's own choice of what to start next, from the runs in PostgreSQL
        # (a private method of Dagster's daemon: the launch after it needs a code location, this does not)
        with QueuedRunCoordinatorDaemon(interval_seconds=1) as daemon:
            chosen = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(),
                                                 fixed_iteration_time=None)
        assert sorted(run.run_id for run in chosen) == sorted([flevoland_first.run_id, twente.run_id])
        assert utrecht_waiting.run_id not in {run.run_id for run in chosen}  # Utrecht's first run is still going
        assert flevoland_second.run_id not in {run.run_id for run in chosen}  # Flevoland's first goes first
