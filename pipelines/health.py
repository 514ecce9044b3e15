"""Every asset's health in one place: fresh, stale, failing WARN or failing ERROR, and why.

Dagster's own health status is a Dagster+ feature; open-source Dagster 1.13 shows the parts on
different pages (the last materialization in the catalog, a check's verdict in its Checks tab,
"Unsynced" on the graph). The sensor `pipeline_health` puts them side by side, as an observation
of the asset `pipeline_health` (group 6_operations) whose table the asset page shows in place, and
`make health` prints the same table in the terminal.

The states are Dagster's own facts, read from the instance:
- **failing ERROR / failing WARN**: the latest verdict of one of the asset's checks did not pass,
  with that severity (a blocking check fails with ERROR and stops what is after it);
- **stale**: a parent's data changed since the asset was built, as Dagster records it: the data
  version the parent has now differs from the one the asset was built from (ingestion records the
  loaded rows as its data version, so a delivery that loaded nothing changes nothing), or a parent
  is stale itself;
- **never built**, or else **fresh**.
`state` lists every one that holds, the most serious first ("failing WARN, stale"), and `why` says
what makes it so. Dagster's own "Unsynced" marks only the direct children of what changed; here a
stale parent makes its children stale too, down to the published file, which is what a team needs
to know before it trusts the BI file.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from foundation.asset_groups import OPERATIONS
from foundation.fingerprint import DATA_VERSION_TAG
from foundation.sql import metadata_table

HEALTH_KEY = dg.AssetKey("pipeline_health")
STATES = ("never built", "failing ERROR", "failing WARN", "stale", "fresh")  # most serious first
INPUT_DATA_VERSION = "dagster/input_data_version/"  # + a parent's key: its data version the asset was built from

# drawn after the published file, as what the team reads about the whole pipeline (it reads no data)
pipeline_health = dg.AssetSpec(
    HEALTH_KEY, group_name=OPERATIONS, owners=["team:data"], kinds={"dagster"}, deps=["published_warehouse"],
    description="Every asset's state in one table (not_fresh first, then every asset): fresh, stale (a parent's "
    "data changed since it was built), failing WARN or failing ERROR (a check's latest verdict), or never built, "
    "with why. Reported by the sensor pipeline_health after every change; `make health` prints it in the terminal.")


def _failing(instance: dg.DagsterInstance, check_keys: list[dg.AssetCheckKey]) -> dict[dg.AssetCheckKey, str]:
    """The checks whose latest verdict did not pass, each with its severity (ERROR or WARN)."""
    failing = {}
    for key, summary in instance.event_log_storage.get_asset_check_summary_records(check_keys).items():
        record = summary.last_completed_check_execution_record
        event = record.event.dagster_event if record and record.event else None
        evaluation = event.event_specific_data if event else None
        if evaluation is not None and not evaluation.passed:
            failing[key] = evaluation.severity.value
    return failing


def asset_health(instance: dg.DagsterInstance, graph: dg.AssetGraph) -> pd.DataFrame:
    """One row per unpartitioned asset, in pipeline order (group, then the order Dagster builds them). The
    council letters are partitioned, one per municipality and region, and their partitions page says
    which are built."""
    keys = [k for k in graph.toposorted_asset_keys
            if graph.get(k).is_materializable and not graph.get(k).is_partitioned]
    latest = instance.get_latest_materialization_events(keys)
    checks_of = {k: graph.get_check_keys_for_assets({k}) for k in keys}
    failing = _failing(instance, [c for checks in checks_of.values() for c in checks])
    stale: set[dg.AssetKey] = set()
    rows = []
    for key in keys:  # parents first (toposorted), so a stale parent is known when its children are judged
        entry = latest.get(key)
        built = entry.asset_materialization if entry else None
        failed = [c for c in checks_of[key] if c in failing]
        why = [f"{c.name} fails ({failing[c]})" for c in failed]
        if built is not None:
            for parent in sorted(graph.get(key).parent_keys, key=lambda k: k.to_user_string()):
                parent_entry = latest.get(parent)
                if parent in stale:
                    why.append(f"{parent.to_user_string()} is stale")
                    stale.add(key)
                elif parent_entry and parent_entry.asset_materialization:
                    now = parent_entry.asset_materialization.tags.get(DATA_VERSION_TAG)
                    used = built.tags.get(INPUT_DATA_VERSION + parent.to_user_string())
                    if now != used if used is not None else parent_entry.timestamp > entry.timestamp:
                        why.append(f"{parent.to_user_string()} changed since")
                        stale.add(key)
        found = {f"failing {failing[c]}" for c in failed} | ({"never built"} if built is None else set()) \
            | ({"stale"} if key in stale else set())
        state = ", ".join(s for s in STATES if s in found) or "fresh"
        rows.append({"asset": key.to_user_string(), "state": state, "why": "; ".join(why),
                     "group": graph.get(key).group_name,
                     "built": datetime.fromtimestamp(entry.timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
                     if entry else ""})
    frame = pd.DataFrame(rows, columns=["asset", "state", "why", "group", "built"])
    return frame.sort_values("group", kind="stable").reset_index(drop=True)


def summary(frame: pd.DataFrame) -> str:
    """How many assets are in each state, by the most serious one each has: `2 failing WARN, 49 fresh`."""
    counts = frame["state"].str.split(", ").str[0].value_counts()
    return ", ".join(f"{counts[s]} {s}" for s in STATES if s in counts)


@dg.sensor(name="pipeline_health", minimum_interval_seconds=120, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Every two minutes: each asset's state (fresh, stale, failing WARN, failing ERROR, never "
           "built) in one table, reported on the asset pipeline_health when any state changed.")
def pipeline_health_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    frame = asset_health(context.instance, context.repository_def.asset_graph)
    # a new table after every build too, so that its times are never older than the runs
    digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]
    if digest == context.cursor:
        return dg.SensorResult(skip_reason=f"nothing changed since the last report: {summary(frame)}", cursor=digest)
    return dg.SensorResult(cursor=digest, skip_reason=f"reported on pipeline_health: {summary(frame)}",
                           asset_events=[dg.AssetObservation(asset_key=HEALTH_KEY, metadata={
                               "summary": dg.MetadataValue.text(summary(frame)),
                               "not_fresh": metadata_table(frame[frame["state"] != "fresh"]),
                               "assets": metadata_table(frame),
                           })])


def main() -> int:
    """`make health`: the table in the terminal, the assets that are not fresh first."""
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        frame = asset_health(instance, defs.resolve_asset_graph())
    order = {s: i for i, s in enumerate(STATES)}
    shown = frame.sort_values("state", key=lambda s: s.str.split(", ").str[0].map(order), kind="stable")
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 90, "display.width", 200):
        print(shown.to_string(index=False))
    print(f"\n{summary(frame)}")
    return 1 if frame["state"].str.contains("failing ERROR").any() else 0


if __name__ == "__main__":
    sys.exit(main())
