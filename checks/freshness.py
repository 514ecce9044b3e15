"""How current is what the BI tools read? Two WARN checks on the published file.

- `freshness_check`: by 06:00 Amsterdam time `published_warehouse` was replaced, or found current
  by a night with nothing new, within the 24 hours before (evaluated by its sensor): the nightly
  run starts at 02:00, so by 06:00 a missing publish means the night failed or did not run.
- `published_data_is_recent`: the latest month of care declared is at most
  Warehouse.data_age_warn_months months before this month. Providers declare monthly, a month or
  two behind; a gap beyond that means deliveries stopped, and every figure is older than it looks.

The first does what Dagster's build_last_update_freshness_checks does, in words of its own: that
factory's check carries a generic description ("Evaluates freshness for targeted asset.") and,
for an update less than a second old, reads "The last update was  ago". The sensor that runs it
(pipelines/sensors.py) needs only its `dagster/fresh_until_timestamp` when it passes.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_factories.utils import (
    FRESH_UNTIL_METADATA_KEY,
    LAST_UPDATED_TIMESTAMP_METADATA_KEY,
    LATEST_CRON_TICK_METADATA_KEY,
    LOWER_BOUND_TIMESTAMP_METADATA_KEY,
    retrieve_last_update_record,
    retrieve_timestamp_from_record,
)
from dagster._utils.schedules import get_latest_completed_cron_tick, get_next_cron_tick

from assets.publish import published_warehouse
from assets.transform import model_declaring
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse

DEADLINE_CRON = "0 6 * * *"  # 06:00: four hours after the nightly run starts
TIMEZONE = "Europe/Amsterdam"
WINDOW = timedelta(hours=24)  # the file must have been replaced this long before the deadline, or since


def in_words(seconds: float) -> str:
    """A duration as a person says it: '2 days, 3 hours, 5 minutes'; 'less than a minute' below one."""
    minutes = int(seconds // 60)
    parts = [(minutes // 1440, "day"), (minutes // 60 % 24, "hour"), (minutes % 60, "minute")]
    words = [f"{n} {unit}{'s' if n > 1 else ''}" for n, unit in parts if n]
    return ", ".join(words) or "less than a minute"


def freshness_verdict(updated: float | None, now: datetime) -> tuple[bool, str, dict[str, dg.MetadataValue]]:
    """Whether the BI file counts as current at `now` (Amsterdam time), what to say, and the metadata
    (Dagster's keys: the UI shows them, the sensor reads the time it stays fresh until)."""
    deadline = get_latest_completed_cron_tick(DEADLINE_CRON, now, TIMEZONE)
    lower = deadline - WINDOW
    metadata = {LOWER_BOUND_TIMESTAMP_METADATA_KEY: dg.MetadataValue.timestamp(lower.timestamp()),
                LATEST_CRON_TICK_METADATA_KEY: dg.MetadataValue.timestamp(deadline.timestamp())}
    if updated is None:
        return False, "The BI file has never been published.", metadata
    metadata[LAST_UPDATED_TIMESTAMP_METADATA_KEY] = dg.MetadataValue.timestamp(updated)
    when = datetime.fromtimestamp(updated, now.tzinfo)
    # the verdict is stored and read hours later: the time itself first, its age as of this check's run
    said = (f"The BI file was last replaced, or found current by a night with nothing new, at "
            f"{when:%Y-%m-%d %H:%M} Amsterdam time: {in_words(now.timestamp() - updated)} before this check ran "
            f"({now:%Y-%m-%d %H:%M})")
    if updated >= lower.timestamp():
        metadata[FRESH_UNTIL_METADATA_KEY] = dg.MetadataValue.timestamp(
            get_next_cron_tick(DEADLINE_CRON, now, TIMEZONE).timestamp())
        return True, f"{said}, after {lower:%Y-%m-%d %H:%M}: current for the deadline of {deadline:%Y-%m-%d %H:%M}.", \
            metadata
    return False, (f"{said}: by the deadline of {deadline:%Y-%m-%d %H:%M} it should have been replaced after "
                   f"{lower:%Y-%m-%d %H:%M}. The nightly run failed or did not run."), metadata


@dg.asset_check(asset=published_warehouse, name="freshness_check",
                description="By 06:00 Amsterdam time the BI file was replaced (or found current by a night with "
                "nothing new) in the 24 hours before: otherwise the nightly run (02:00) failed or did not run. "
                "Evaluated by the sensor published_file_freshness.")
def published_is_fresh(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    record = retrieve_last_update_record(context.instance, published_warehouse.key, partition_key=None)
    updated = retrieve_timestamp_from_record(record) if record else None
    passed, said, metadata = freshness_verdict(updated, datetime.now(ZoneInfo(TIMEZONE)))
    metadata["what_to_do"] = dg.MetadataValue.text(
        "docs/runbook.md, 'The nightly run is red': find the night's run in the UI (Runs), or start one "
        "(`make run`).")
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.WARN, description=said, metadata=metadata)


@warn_check(asset=published_warehouse,
            description="The latest month of care declared is at most `data_age_warn_months` months before this "
            "month; otherwise deliveries stopped, and every figure is older than it looks. The demo data ends in "
            "December 2025, so on the demo this check speaks up.",
            label_nl="De gegevens in het gepubliceerde bestand lopen tot in de laatste maanden.")
def published_data_is_recent(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        (latest,) = con.execute("SELECT max(service_month) FROM staging.declaration_lines").fetchone()
    today = date.today()
    months_old = None if latest is None else (today.year - latest.year) * 12 + today.month - latest.month
    return warn_result(
        passed=months_old is not None and months_old <= warehouse.data_age_warn_months,
        metadata={"data_through": latest.strftime("%Y-%m") if latest else "no data",
                  "months_old": months_old if months_old is not None else -1,
                  "limit_months": warehouse.data_age_warn_months,
                  "what_to_do": dg.MetadataValue.text(
                      "Find out which providers stopped delivering (check declarations_are_current and "
                      f"{model_declaring('file_accounting')}), and say in any report how old the figures are.")})
