"""Blocking cross-layer checks: the marts say what staging says, before the BI file is replaced.

Published cells that are not suppressed must equal a recomputation from staging: spend per
municipality and year against the net sum of staged lines, ended trajectories per municipality
and year against the staged trajectory model. Suppressed cells must be NULL.
"""

import dagster as dg

from checks.metadata import examples_md
from pipelines.core.warehouse import Warehouse

# Published cells that differ from staging, cells only one side has, and suppressed cells
# that still show a value. `staged` yields municipality_code, year and the staged figure.
RECONCILE_SQL = """
WITH staged AS ({staged})
SELECT coalesce(m.municipality_code, s.municipality_code) AS municipality_code, coalesce(m.year, s.year) AS year,
       m.{measure} AS published, s.staged, m.suppressed
FROM marts.{mart} AS m
FULL OUTER JOIN staged AS s USING (municipality_code, year)
WHERE m.municipality_code IS NULL OR s.municipality_code IS NULL
   OR (NOT m.suppressed AND m.{measure} IS DISTINCT FROM s.staged)
   OR (m.suppressed AND m.{measure} IS NOT NULL)
"""
STAGED_SPEND = ("SELECT municipality_code, service_year AS year, sum(amount_eur) AS staged "
                "FROM staging.declaration_lines GROUP BY ALL")
STAGED_ENDED = "SELECT municipality_code, year, count(*) AS staged FROM staging.trajectory_outcomes GROUP BY ALL"


def _reconcile(warehouse: Warehouse, table: str, measure: str, staged: str) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        bad = con.execute(RECONCILE_SQL.format(staged=staged, mart=table, measure=measure)).df()
        rows = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
    return dg.AssetCheckResult(passed=bad.empty, metadata={
        "rows_compared": int(rows), "rows_differing": len(bad), "examples": examples_md(bad)})


@dg.asset_check(asset="cost_by_municipality_year", blocking=True,
                description="Published spend per municipality and year = net sum of the staged declaration lines.")
def spend_reconciles_with_staging(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _reconcile(warehouse, "cost_by_municipality_year", "spend_eur", STAGED_SPEND)


@dg.asset_check(asset="effectiveness_by_municipality", blocking=True,
                description="Published ended trajectories per municipality and year = the staged trajectory model.")
def ended_trajectories_reconcile(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _reconcile(warehouse, "effectiveness_by_municipality", "trajectories_ended", STAGED_ENDED)


reconciliation_checks = [spend_reconciles_with_staging, ended_trajectories_reconcile]
