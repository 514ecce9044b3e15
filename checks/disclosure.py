"""The attacker as a blocking check: the BI file is not published if a suppressed cell can be
worked back from it.

`publication_candidate` applies secondary suppression; this check then runs the attacker of
assets/disclosure/attack.py on that very file, as a BI user with a spreadsheet would: differences
between totals and their parts in every table, the same figure in other tables, year-on-year
changes, shares and rolling sums. A failure means the suppression logic missed a path: the
previous BI file stays in place, and the leaks are listed here by table key (aggregates only).
"""

import dagster as dg

from assets.publish import publication_candidate, recoverable_cells
from checks.metadata import examples_md
from pipelines.core.warehouse import Warehouse


@dg.asset_check(asset=publication_candidate, blocking=True,
                description="No suppressed cell of the file about to be published can be worked back, exactly or to "
                "within a few euros, from anything else in it (totals, other tables, year-on-year, shares).")
def no_suppressed_cell_can_be_recovered(warehouse: Warehouse) -> dg.AssetCheckResult:
    leaks = recoverable_cells(str(warehouse.candidate_db))
    return dg.AssetCheckResult(passed=leaks.empty, metadata={
        "recoverable_cells": len(leaks),
        "min_cell_size": warehouse.min_cell_size,
        "examples": examples_md(leaks.rename(columns={"q": "quantity", "a": "key_1", "b": "key_2", "c": "key_3"})),
    })
