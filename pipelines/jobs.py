"""Jobs. Each runs in one process: DuckDB allows a single writer to the working file.

A delivery is handled in two runs. The sensor's run, `ingest_<kind>`, ingests the new files of one
kind and rebuilds only the quality tables (the dbt models tagged `quality`: the quarantined lines
and the data-quality tables), whose content changes with every file, loaded or not. Only when it loaded a new
row does the sensor refresh_after_new_rows start `refresh_after_ingestion`, which rebuilds, checks
and republishes everything after ingestion (a selection of only what depends on one kind would
leave out the dimensions some dbt tests read, and those tests would show as Skipped). So a re-sent
file of duplicates, a file of quarantined lines or a refused file costs an ingestion and a few
small models, and no check is planned that will not run. Reference data comes along in the
ingestion run because ingestion validates against it (a first run on an empty working file would
otherwise quarantine every row as an unknown municipality), and it is cheap.
"""

import dagster as dg

from assets.ingest.messages import MESSAGE_KINDS
from foundation.fingerprint import FULL_REBUILD_TAG
from foundation.lake import PUBLISHED
from foundation.lake_maintenance import FILE_DELETE_DELAY, maintain_lake
from foundation.warehouse import Warehouse

# The run worker's console gets warnings and errors only: `make ui` would otherwise print every
# run's DEBUG log. The UI's run log keeps every event whatever this says.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# The council reports are partitioned (one per municipality and region) and cannot share a run with
# the unpartitioned assets: the refresh jobs stop at the published file, and the sensor
# council_reports_after_publish starts render_council_reports for the reports that changed.
COUNCIL_REPORTS = dg.AssetSelection.assets("council_reports")
# what every arriving file changes, loaded or not: declared by the models' dbt tag `quality`, which
# dagster-dbt makes an asset tag
QUALITY = dg.AssetSelection.tag("quality", "")
# the tag a refresh run carries: the ingestion run whose new rows it rebuilds from
AFTER_INGESTION_TAG = "jeugdzorg/after_ingestion"


def _ingest(kind: str, asset: str, label: str):
    ingested = dg.AssetSelection.assets(asset)
    return dg.define_asset_job(
        f"ingest_{kind}",
        selection=dg.AssetSelection.assets("reference_data") | ingested | (ingested.downstream() & QUALITY),
        executor_def=dg.in_process_executor,
        config=QUIET_CONSOLE,
        description=f"Started by the sensor when new {label} files land: ingest them and rebuild the quality tables "
        "(quarantined lines, the data-quality tables). When a new row loaded, the sensor refresh_after_new_rows starts "
        "refresh_after_ingestion; a delivery that loaded nothing (duplicates, quarantined lines, a refused file) ends "
        "here, and the BI file's data-quality tables follow at the next publish.",
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
# (kind, ingestion asset, what the files hold), one entry per kind of delivery a sensor watches
DELIVERIES = [("declarations", "raw_declarations", "declaration"), ("surveys", "raw_surveys", "outcome-record"),
              *((k.kind, f"raw_{k.kind}", k.label.replace(" messages", "")) for k in MESSAGE_KINDS)]
# lists at module scope, as the code location's loader finds definitions (pipelines/definitions.py)
ingest_jobs = [_ingest(*delivery) for delivery in DELIVERIES]
# each kind's ingestion job, for the sensor that watches its folder (a dict: the loader does not look in it)
INGEST_JOB_OF = {kind: job for (kind, _asset, _label), job in zip(DELIVERIES, ingest_jobs, strict=True)}
refresh_after_ingestion = dg.define_asset_job(
    "refresh_after_ingestion",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets("reference_data", *(d[1] for d in DELIVERIES))
    - COUNCIL_REPORTS,
    executor_def=dg.in_process_executor,
    config=QUIET_CONSOLE,
    description="Started by the sensor refresh_after_new_rows after an ingestion run (ingest_KIND) loaded new rows: "
    "rebuild, check and republish everything but the ingestion, as nightly_refresh does. Every model is in it, so "
    "each dbt test finds its parents and the publication vouches for the whole file.",
)


@dg.op(description="Platform mode: expire the lake's snapshots the retention (JEUGDZORG_LAKE_RETENTION_DAYS) no "
       "longer keeps, with the rows of the publications no longer readable, merge small files, remove unused "
       "ones and those a killed writer left, once older than FILE_DELETE_DELAY (foundation/lake_maintenance.py). "
       "File mode: nothing, and the log says so.")
def maintain_the_lake(context: dg.OpExecutionContext, warehouse: Warehouse) -> dg.Output:
    lake = warehouse.lake()
    if lake is None:
        context.log.info("file mode (JEUGDZORG_LAKE_CATALOG and JEUGDZORG_LAKE_DATA_PATH not set): there is no lake "
                         "to maintain, nothing was done")
        return dg.Output(None, metadata={"mode": "file mode: nothing done"})
    metadata: dict[str, dg.MetadataValue] = {
        "mode": dg.MetadataValue.text("platform mode"),
        "retention_days": dg.MetadataValue.int(warehouse.lake_retention_days),
        # a file scheduled for deletion, or listed by no snapshot, is removed once this much older
        "file_delete_delay_hours": dg.MetadataValue.float(FILE_DELETE_DELAY.total_seconds() / 3600)}
    for done in maintain_lake(lake, warehouse.lake_retention_days):
        gone = done.versions_no_longer_readable
        context.log.info(
            f"{done.catalog}: {len(done.snapshots_expired)} snapshots expired {done.snapshots_expired}"
            + (f", publications no longer readable: {', '.join(f'v{v}' for v in gone)}" if gone else "")
            + f"; data files {done.data_files_before_merge} -> {done.data_files_after_merge} after merging; "
            f"{len(done.files_removed)} unused files removed, {len(done.orphaned_files_removed)} orphaned files "
            f"(written more than {FILE_DELETE_DELAY} ago, listed by no snapshot) removed")
        metadata |= {
            f"{done.catalog}_snapshots_expired": dg.MetadataValue.json(done.snapshots_expired),
            f"{done.catalog}_data_files_before_merge": dg.MetadataValue.int(done.data_files_before_merge),
            f"{done.catalog}_data_files_after_merge": dg.MetadataValue.int(done.data_files_after_merge),
            f"{done.catalog}_files_removed": dg.MetadataValue.int(len(done.files_removed)),
            f"{done.catalog}_orphaned_files_removed": dg.MetadataValue.int(len(done.orphaned_files_removed)),
        }
        if done.catalog == PUBLISHED:
            metadata["publications_no_longer_readable"] = dg.MetadataValue.json(gone)
    return dg.Output(None, metadata=metadata)


@dg.job(description="Weekly, platform mode: the lake's retention, small files and the files a killed writer left "
        "(maintain_the_lake); in file mode it does nothing and says so.")
def lake_maintenance():
    maintain_the_lake()
