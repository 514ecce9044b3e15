"""The nightly schedule: 02:00 Amsterdam time, after providers' evening uploads."""

import dagster as dg

from pipelines.jobs import nightly_refresh

nightly_refresh_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh every night at 02:00 Europe/Amsterdam.",
)
