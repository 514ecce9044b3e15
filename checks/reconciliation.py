"""Blocking cross-layer checks: the marts say what staging says, before the BI file is replaced.

Published cells that are not suppressed must equal a recomputation from staging: spend per
municipality and year against the net sum of staged lines, ended trajectories per municipality
and year against the staged trajectory model. Suppressed cells must be NULL.
"""

import dagster as dg

from assets.marts.assets import mart_assets
from checks.metadata import examples_md
from pipelines.resources import Warehouse

_by_name = {a.key.to_user_string(): a for a in mart_assets}

SPEND_SQL = """
WITH staged AS (
    SELECT municipality_code, service_year AS year, sum(amount_eur) AS staged_eur
    FROM staging.declaration_lines GROUP BY ALL
)
SELECT coalesce(m.municipality_code, s.municipality_code) AS municipality_code, coalesce(m.year, s.year) AS year,
       m.spend_eur AS published_eur, s.staged_eur, m.suppressed
FROM marts.cost_by_municipality_year AS m
FULL OUTER JOIN staged AS s USING (municipality_code, year)
WHERE m.municipality_code IS NULL OR s.municipality_code IS NULL
   OR (NOT m.suppressed AND m.spend_eur IS DISTINCT FROM s.staged_eur)
   OR (m.suppressed AND m.spend_eur IS NOT NULL)
"""
ENDED_SQL = """
WITH staged AS (
    SELECT municipality_code, year, count(*) AS staged_ended
    FROM staging.trajectory_outcomes GROUP BY ALL
)
SELECT coalesce(m.municipality_code, s.municipality_code) AS municipality_code, coalesce(m.year, s.year) AS year,
       m.trajectories_ended AS published, s.staged_ended, m.suppressed
FROM marts.effectiveness_by_municipality AS m
FULL OUTER JOIN staged AS s USING (municipality_code, year)
WHERE m.municipality_code IS NULL OR s.municipality_code IS NULL
   OR (NOT m.suppressed AND m.trajectories_ended IS DISTINCT FROM s.staged_ended)
   OR (m.suppressed AND m.trajectories_ended IS NOT NULL)
"""


def _reconcile(warehouse: Warehouse, sql: str, table: str) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        bad = con.execute(sql).df()
        rows = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
    return dg.AssetCheckResult(passed=bad.empty, metadata={
        "rows_compared": int(rows), "rows_differing": len(bad), "examples": examples_md(bad)})


@dg.asset_check(asset=_by_name["cost_by_municipality_year"], blocking=True,
                description="Published spend per municipality and year = net sum of the staged declaration lines.")
def spend_reconciles_with_staging(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _reconcile(warehouse, SPEND_SQL, "cost_by_municipality_year")


@dg.asset_check(asset=_by_name["effectiveness_by_municipality"], blocking=True,
                description="Published ended trajectories per municipality and year = the staged trajectory model.")
def ended_trajectories_reconcile(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _reconcile(warehouse, ENDED_SQL, "effectiveness_by_municipality")


reconciliation_checks = [spend_reconciles_with_staging, ended_trajectories_reconcile]
