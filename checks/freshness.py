"""How current is what the BI tools read? Two WARN checks on the published file.

- `published_warehouse` must have been replaced within the 24 hours before 06:00 Amsterdam time
  (Dagster's last-update freshness check, evaluated by its sensor): the nightly run starts at 02:00,
  so by 06:00 a missing publish means the night failed or did not run.
- `published_data_is_recent`: the latest month of care declared is at most
  Warehouse.data_age_warn_months months before this month. Providers declare monthly, a month or
  two behind; a gap beyond that means deliveries stopped, and every figure is older than it looks.
"""

import warnings
from datetime import date, timedelta

import dagster as dg

from assets.publish import published_warehouse
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse

# 'superseded' in Dagster 1.13 by freshness policies, which are still a preview there; its warning would
# print at every load of the code location (its sensor: pipelines/sensors.py)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    published_is_fresh = dg.build_last_update_freshness_checks(
        assets=[published_warehouse], lower_bound_delta=timedelta(hours=24), deadline_cron="0 6 * * *",
        timezone="Europe/Amsterdam")


@warn_check(asset=published_warehouse,
            description="The latest month of care declared is at most N months (Warehouse.data_age_warn_months) "
            "before this month.",
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
                  "what_to_do": dg.MetadataValue.md(
                      "Find out which providers stopped delivering (check declarations_are_current and "
                      "data_quality), and say in any report how old the figures are.")})
