"""Jobs. Each runs in one process: DuckDB allows a single writer to the working file.

The sensors' jobs are named for what they do: ingest one kind of file and rebuild and republish
only what depends on it. The other kind's ingestion is left to its own sensor and the night.
Reference data comes along because ingestion validates against it (a first run on an empty
working file would otherwise quarantine every row as an unknown municipality), and it is cheap.
"""

import dagster as dg

from assets.ingest.messages import MESSAGE_KINDS
from foundation.fingerprint import FULL_REBUILD_TAG

# The run worker's console gets warnings and errors only: `make ui` would otherwise print every
# run's DEBUG log. The UI's run log keeps every event whatever this says.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# The council reports are partitioned (one per municipality and region) and cannot share a run with
# the unpartitioned assets: the refresh jobs stop at the published file, and the sensor
# council_reports_after_publish starts render_council_reports for the reports that changed.
COUNCIL_REPORTS = dg.AssetSelection.assets("council_reports")


def _ingest_and_refresh(kind: str, asset: str, label: str):
    return dg.define_asset_job(
        f"ingest_and_refresh_{kind}",
        selection=(dg.AssetSelection.assets("reference_data") | dg.AssetSelection.assets(asset).downstream())
        - COUNCIL_REPORTS,
        executor_def=dg.in_process_executor,
        config=QUIET_CONSOLE,
        description=f"Started by the sensor when new {label} files land: ingest them, then rebuild and republish "
        f"what depends on them. Reference data is reloaded first; the other kind of file waits for its own "
        f"sensor or the nightly run.",
    )


nightly_refresh = dg.define_asset_job(
    "nightly_refresh",
    selection=dg.AssetSelection.all() - COUNCIL_REPORTS,
    executor_def=dg.in_process_executor,
    config=QUIET_CONSOLE,
    description="Full refresh: ingest new files, rebuild staging and marts, publish the BI file. With nothing new "
    "since the last publish (files, reference data, settings, code) it stops after ingestion and the published "
    "file stands. The council reports follow in their own runs (sensor council_reports_after_publish).",
)
full_rebuild = dg.define_asset_job(
    "full_rebuild",
    selection=dg.AssetSelection.all() - COUNCIL_REPORTS,
    executor_def=dg.in_process_executor,
    config=QUIET_CONSOLE,
    tags={FULL_REBUILD_TAG: "true"},
    description="As nightly_refresh, but rebuilds every model and runs every check even when nothing is new since "
    "the last publish (nightly_refresh then keeps the published file): after a change outside the pipeline's "
    "view, or to see every check run again (`make run FULL=1`).",
)
render_council_reports = dg.define_asset_job(
    "render_council_reports",
    selection=COUNCIL_REPORTS,
    executor_def=dg.in_process_executor,
    config=QUIET_CONSOLE,
    description="Render the council letters (raadsinformatiebrieven) of the selected partitions from the published "
    "file; unchanged ones are skipped.",
)
ingest_declarations_job = _ingest_and_refresh("declarations", "raw_declarations", "declaration")
ingest_surveys_job = _ingest_and_refresh("surveys", "raw_surveys", "outcome-record")
# a list at module scope, as the code location's loader finds definitions (pipelines/definitions.py)
ingest_messages_jobs = [_ingest_and_refresh(k.kind, f"raw_{k.kind}", k.label.replace(" messages", ""))
                        for k in MESSAGE_KINDS]
