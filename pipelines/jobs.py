"""Jobs. The refresh runs in one process: DuckDB allows a single writer to the working file."""

import dagster as dg

nightly_refresh = dg.define_asset_job(
    "nightly_refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Full refresh: ingest new files, rebuild staging and marts, publish the BI file.",
)

ingest_declarations_job = dg.define_asset_job(
    "ingest_new_declarations",
    selection=dg.AssetSelection.assets("reference_data", "raw_declarations").downstream(),
    executor_def=dg.in_process_executor,
    description="Started by the sensor when new declaration files land: ingest them and refresh what depends on them.",
)

ingest_surveys_job = dg.define_asset_job(
    "ingest_new_surveys",
    selection=dg.AssetSelection.assets("reference_data", "raw_surveys").downstream(),
    executor_def=dg.in_process_executor,
    description="Started by the sensor when new outcome-record files land: ingest them and refresh what depends "
    "on them.",
)
