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
                description="The attacker of assets/disclosure/attack.py on the very file about to be published: "
                "no suppressed cell can be worked back or narrowed from anything else in it (totals and their parts "
                "in any table, the same figure in another table, all the sums together, year-on-year changes, "
                "shares, rolling sums, the running caseload's month-to-month chain, the order between counts): a "
                "hidden count keeps an interval that starts at 0 or is k/2 wide, a hidden amount +-15 % "
                "(JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K, JEUGDZORG_PROTECTION_MONEY_PCT); a cell worked back as zero "
                "is not counted, nobody can be shown to be in it (docs/disclosure_control.md). The cells it knows "
                "come from every published mart's YAML declarations; a mart with an undeclared column never reaches "
                "it, `publication_candidate` refuses to build the file. Disclosure control runs just before it, so "
                "a failure means it missed a path: the previous BI file stays, and the metadata lists the cells by "
                "their keys (aggregates only). The `published_warehouse` step runs the same attacker once more "
                "before it swaps the file in, so a publish started on its own cannot put a refused file in place.")
def no_suppressed_cell_can_be_recovered(warehouse: Warehouse) -> dg.AssetCheckResult:
    leaks = attack_candidate(warehouse)
    return dg.AssetCheckResult(passed=leaks.empty, metadata={
        "recoverable_cells": len(leaks),
        "min_cell_size": warehouse.min_cell_size,
        "protection_money_pct": warehouse.protection_money_pct,
        "protection_count_width": protection(warehouse).count_width,
        "examples": examples(leaks.rename(columns={"q": "quantity", "a": "key_1", "b": "key_2", "c": "key_3"})),
    })
