"""Consistency checks on the published effectiveness marts: numbers a council would catch.

Percentages must lie in 0-100, and the endings must add up: ended as planned + ended early =
ended (every ending that counts maps to CBS 01-05), dropout is part of ended early. A failure
means a model is wrong, so the checks are blocking: the BI file is not replaced.
"""

import dagster as dg

from checks.metadata import examples_md
from pipelines.core.warehouse import Warehouse

EFFECTIVENESS_MARTS = ("effectiveness_by_municipality", "effectiveness_by_municipality_product",
                       "effectiveness_by_provider", "duration_effect", "provider_performance")
PERCENTAGES = ("ended_as_planned_pct", "dropout_pct", "ended_early_pct", "no_further_help_pct",
               "lighter_or_no_help_pct", "no_recurrence_pct", "reliable_improvement_pct")
ROUNDING = 0.11  # two shares rounded to 1 decimal each


def _violations_sql(table: str) -> str:
    out_of_range = " OR ".join(f"NOT ({p} BETWEEN 0 AND 100)" for p in PERCENTAGES)
    return f"""
        SELECT * FROM marts.{table}
        WHERE ({out_of_range})
           OR abs(ended_as_planned_pct + ended_early_pct - 100) > {ROUNDING}
           OR dropout_pct > ended_early_pct + {ROUNDING}
           OR lighter_or_no_help_pct < no_further_help_pct - {ROUNDING}
           OR recurrence_measurable > trajectories_ended
           OR (suppressed AND trajectories_ended IS NOT NULL)
    """


def build_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=table, name=f"{table}_adds_up", blocking=True,
                    description="Percentages in 0-100; ended as planned + ended early = ended; dropout within "
                    "ended early; suppressed rows carry no numbers.")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            bad = con.execute(_violations_sql(table)).df()
            total = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
        return dg.AssetCheckResult(passed=bad.empty, metadata={
            "rows_checked": int(total), "rows_failing": len(bad), "examples": examples_md(bad)})

    return _check


mart_consistency_checks = [build_check(t) for t in EFFECTIVENESS_MARTS]
