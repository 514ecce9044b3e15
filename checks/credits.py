"""Credits without a matching debit: money moved, so the line stays loaded, but someone should look.

A credit names the debit it reverses in vorig_referentienummer. When no loaded line of the same
provider has that reference (the debit was quarantined, sent in a rejected file, or never sent)
the spend is still netted, and this WARN check lists the credits for the data team to chase.
"""

import dagster as dg

from assets.transform import model_declaring
from checks.metadata import examples
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse

UNMATCHED_SQL = """
SELECT c.source_file, c.source_line, c.provider_agb, c.reference_number, c.previous_reference_number, c.amount_eur
FROM staging.declaration_lines AS c
WHERE c.debit_credit = 'C'
  AND NOT EXISTS (
      SELECT 1 FROM staging.declaration_lines AS d
      WHERE d.provider_agb = c.provider_agb AND d.reference_number = c.previous_reference_number
  )
ORDER BY c.source_file, c.source_line
"""


@warn_check(asset="declaration_lines",
            description="Every credit line's vorig_referentienummer matches a loaded line of the provider. One "
            "that does not still counts (money moved), but the debit it corrects is missing.",
            label_nl="Elke creditering hoort bij een eerder ingelezen declaratie van dezelfde aanbieder.")
def credits_match_a_debit(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        unmatched = con.execute(UNMATCHED_SQL).df()
        credits = con.execute("SELECT count(*) FROM staging.declaration_lines WHERE debit_credit = 'C'").fetchone()[0]
    return warn_result(
        passed=unmatched.empty,
        metadata={
            "credit_lines": int(credits),
            "unmatched_credits": len(unmatched),
            "unmatched_eur": float(unmatched["amount_eur"].sum()) if len(unmatched) else 0.0,
            "examples": examples(unmatched),
            "what_to_do": dg.MetadataValue.text(
                "Ask the provider for the declaration these credits cancel (its referentienummer): it is missing "
                "from the files loaded, or was itself quarantined "
                f"(`marts.{model_declaring('quarantine_per_file_rule')}`, working file)."),
        },
    )
