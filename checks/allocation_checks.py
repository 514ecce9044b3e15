"""WARN checks on allocation control: declarations that go beyond what the municipality allocated.

None of these blocks the night run. A finding is about how a provider declares, not about
whether the figures are right: the money was declared and is counted, and stopping the run
would withhold every figure from the council over one provider. They ask a person (contract
management) to look, with the allocations and lines to look at.
"""

import dagster as dg

from assets.transform import model_declaring
from checks.metadata import examples
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse

# the mart of allocations against declarations, per year, whose YAML declares it (meta.allocation_follow_up)
ALLOCATIONS = model_declaring("allocation_follow_up")


@warn_check(asset="allocation_use",
            description="Per municipality and provider: no allocation is declared beyond its money value "
            "(budget, or allocated volume x tariff) or with lines outside its dates, and every declaration names "
            "an allocation the municipality issued (only where the municipality sends JW301). Not blocking, like "
            "every allocation-control finding: it is about how a provider declares, not whether the figures are "
            "right; the money was declared and is counted, and stopping the night run would withhold every figure "
            f"from the council over one provider. Contract management follows it up with `marts.{ALLOCATIONS}`.",
            label_nl="Er wordt niet meer en niet buiten de looptijd gedeclareerd dan de gemeente toewees, en elke "
                     "declaratie hoort bij een toewijzing.")
def allocations_are_respected(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        beyond = con.execute("""
            SELECT municipality_code, provider_agb, count(*) FILTER (WHERE declared_eur > allocated_eur)
                       AS allocations_overrun,
                   round(sum(greatest(declared_eur - allocated_eur, 0)), 2) AS declared_beyond_eur,
                   count(*) FILTER (WHERE lines_outside > 0) AS allocations_with_lines_outside,
                   sum(lines_outside) AS lines_outside
            FROM staging.allocation_use
            GROUP BY ALL HAVING allocations_overrun > 0 OR lines_outside > 0
            ORDER BY declared_beyond_eur DESC""").df()
        unallocated = con.execute("""
            SELECT l.municipality_code, l.provider_agb, count(*) AS lines, round(sum(l.amount_eur), 2) AS declared_eur
            FROM staging.declaration_lines AS l
            WHERE l.municipality_code IN (SELECT municipality_code FROM staging.allocations)
              AND NOT EXISTS (SELECT 1 FROM staging.allocations AS a WHERE a.municipality_code = l.municipality_code
                                                                        AND a.allocation_number = l.allocation_number)
            GROUP BY ALL ORDER BY declared_eur DESC""").df()
    return warn_result(
        passed=beyond.empty and unallocated.empty,
        # providers, not the rows of the tables below (one per municipality and provider, or more)
        metadata={"providers_beyond_allocation": int(beyond.provider_agb.nunique()),
                  "providers_without_allocation": int(unallocated.provider_agb.nunique()),
                  "beyond_allocation": examples(beyond), "without_allocation": examples(unallocated),
                  "what_to_do": dg.MetadataValue.text(
                      "Ask the provider about the allocations overrun or declared outside their dates, and about "
                      f"declarations naming no allocation; `marts.{ALLOCATIONS}` shows the sums per year.")})


allocation_checks = [allocations_are_respected]
