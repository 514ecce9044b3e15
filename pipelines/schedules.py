"""The nightly schedule: 02:00 Amsterdam time, after providers' evening uploads; and the lake's weekly
maintenance, Sunday 04:00, after that night's refresh."""

import dagster as dg

from pipelines.jobs import lake_maintenance, nightly_refresh

nightly_refresh_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh every night at 02:00 Europe/Amsterdam.",
)
lake_maintenance_schedule = dg.ScheduleDefinition(
    name="lake_maintenance_schedule",
    job=lake_maintenance,
    cron_schedule="0 4 * * 0",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The lake's maintenance every Sunday at 04:00 Europe/Amsterdam (docs/platform.md); in file mode the "
    "run does nothing and says so.",
)
