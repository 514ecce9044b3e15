"""The attacker as a blocking check: the BI file is not published if a suppressed cell can be
worked back from it.

`publication_candidate` applies secondary suppression; this check then runs the attacker of
assets/disclosure/attack.py on that very file, as a BI user with a spreadsheet would: differences
between totals and their parts in every table, the same figure in other tables, year-on-year
changes, shares and rolling sums. A failure means the suppression logic missed a path: the
previous BI file stays in place, and the leaks are listed here by table key (aggregates only).
"""

import dagster as dg

from assets.publish import attack_candidate, protection, publication_candidate
from checks.metadata import examples
from foundation.warehouse import Warehouse


@dg.asset_check(asset=publication_candidate, blocking=True,
                description="No suppressed cell of the file about to be published can be worked back or narrowed "
                "from anything else in it (totals, other tables, year-on-year, shares, the order between counts): a "
                "hidden count keeps an interval that starts at 0 or is k/2 wide, a hidden amount +-15 % "
                "(JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K, JEUGDZORG_PROTECTION_MONEY_PCT).")
def no_suppressed_cell_can_be_recovered(warehouse: Warehouse) -> dg.AssetCheckResult:
    leaks = attack_candidate(warehouse)
    return dg.AssetCheckResult(passed=leaks.empty, metadata={
        "recoverable_cells": len(leaks),
        "min_cell_size": warehouse.min_cell_size,
        "protection_money_pct": warehouse.protection_money_pct,
        "protection_count_width": protection(warehouse).count_width,
        "examples": examples(leaks.rename(columns={"q": "quantity", "a": "key_1", "b": "key_2", "c": "key_3"})),
    })
