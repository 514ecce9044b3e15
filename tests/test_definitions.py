import dagster as dg

from pipelines.definitions import defs


def test_code_location_loads():
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("nightly_refresh")
    assert job.executor_def is dg.in_process_executor
    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Amsterdam"
    assert defs.resolve_sensor_def("new_declaration_files").job_name == "ingest_new_declarations"
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"raw_declarations", "declaration_lines", "cost_trends_by_municipality", "published_warehouse"} <= keys
