"""The Dagster asset `council_reports`: one partition per report, a municipality ('GM0141_Almelo') or a
youth-care region ('regio_Twente').

The partitions are dynamic (`council_reports`), filled from the published file by the sensor
`council_reports_after_publish` (pipelines/sensors.py): a municipality appears when the file holds
its declarations, so the UI lists exactly the letters there are, and one can be re-rendered from
its partition. A partitioned asset cannot share a run with the unpartitioned nightly assets, so the
nightly job stops at `published_warehouse`; the sensor sees that publication and, when a report's
fingerprint changed (or Dagster has never materialised one), requests one run over all partitions
(a single-run backfill policy: one process, one place in the one-at-a-time queue). A run skips a
report whose fingerprint is unchanged unless its config says `force: true`.
"""


import warnings
from pathlib import Path

import dagster as dg

from assets.reports.render import render_all
from foundation.asset_groups import REPORTS
from foundation.settings import load_settings
from foundation.warehouse import Warehouse

council_report_partitions = dg.DynamicPartitionsDefinition(name="council_reports")


class CouncilReportsConfig(dg.Config):
    force: bool = False  # render even when the fingerprint says nothing changed (a new logo, say)


def reports_dir(warehouse: Warehouse) -> Path:
    return Path(warehouse.data_dir) / "reports"


def _council_reports(context: dg.AssetExecutionContext, config: CouncilReportsConfig,
                     warehouse: Warehouse) -> dg.MaterializeResult:
    keys = set(context.partition_keys)
    done = render_all(warehouse.published_db, reports_dir(warehouse), load_settings().report_period, keys=keys,
                      force=config.force)
    missing = sorted(keys - {r.key for r in done})
    if missing:
        context.log.warning(f"the published file holds no data for {', '.join(missing)}: no letter written")
    rendered = [r for r in done if r.status == "rendered"]
    failed = [r for r in done if r.status == "failed"]
    status = {"rendered": "geschreven", "unchanged": "ongewijzigd", "failed": "MISLUKT"}
    lines = ["| rapport | status | bestand |", "|---|---|---|"]
    lines += [f"| {r.name} | {status[r.status]} | `{r.pdf.name}` |" for r in done]
    if failed:
        # the other letters are written; the run fails so that someone looks at the ones that are not
        raise dg.Failure(description="council letters failed: " + "; ".join(f"{r.key} ({r.name}): {r.error}"
                                                                           for r in failed),
                         metadata={"reports_written": len(rendered), "reports_failed": len(failed),
                                   "reports": dg.MetadataValue.md("\n".join(lines))})
    return dg.MaterializeResult(metadata={
        "reports_written": len(rendered), "reports_unchanged": len(done) - len(rendered),
        "folder": dg.MetadataValue.path(str(done[0].pdf.parent) if done else str(reports_dir(warehouse))),
        "reports": dg.MetadataValue.md("\n".join(lines)),
        "fingerprints": dg.MetadataValue.json({r.key: r.fingerprint for r in done}),
    })


# BackfillPolicy is marked beta in Dagster 1.13; its warning would print at every load of the code
# location. A single-run backfill renders many letters in one process instead of one run each.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    council_reports = dg.asset(
        name="council_reports",
        partitions_def=council_report_partitions,
        deps=["published_warehouse"],
        group_name=REPORTS,
        kinds={"pdf", "html"},
        owners=["team:data"],
        backfill_policy=dg.BackfillPolicy.single_run(),
        description="The raadsinformatiebrief of one municipality or youth-care region as PDF and HTML, in "
        "$JEUGDZORG_DATA_DIR/reports/PERIOD/ (for example reports/2025/), made only from the published file "
        "(JEUGDZORG_REPORT_PERIOD: year, quarter or month), each with its list of figures and their queries. "
        "Unchanged reports (same fingerprint) are skipped.",
    )(_council_reports)
