"""WARN checks that tie outcome records to declarations: outcomes nobody reported, or reported for nothing.

Declarations do not carry an end date, so a trajectory counts as finished for this check when
its declarations stopped: its latest declared month lies more than `months_behind_warn` months
before the data cut-off. A provider whose finished trajectories mostly lack an outcome record
(share above `missing_survey_warn`) is not delivering the national outcome set.
"""

import dagster as dg

from checks.metadata import examples
from checks.operational import CUTOFF_CTE
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse


@warn_check(asset="trajectories",
            description="Per provider, at most the share `missing_survey_warn` (half) of the finished "
            "trajectories (their declarations stopped: latest month more than `months_behind_warn` months before "
            "the data cut-off) has no outcome record; beyond it the provider is not delivering the outcome set, "
            "and its outcome figures rest on the few that report.",
            label_nl="Van de afgesloten trajecten van elke aanbieder heeft het grootste deel een uitkomstmeting.")
def finished_trajectories_have_outcomes(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        providers = con.execute(f"""
            WITH {CUTOFF_CTE},
            finished AS (
                SELECT l.provider_agb, l.municipality_code, l.allocation_number
                FROM staging.declaration_lines AS l, cutoff AS c
                GROUP BY ALL
                HAVING max(l.service_month) < any_value(c.month) - to_months(?)
            )
            SELECT f.provider_agb, count(*) AS finished_trajectories,
                   count(*) FILTER (WHERE t.surveyed IS NOT TRUE) AS without_outcome,
                   round(100.0 * count(*) FILTER (WHERE t.surveyed IS NOT TRUE) / count(*), 1) AS without_pct
            FROM finished AS f
            LEFT JOIN staging.trajectories AS t USING (municipality_code, allocation_number)
            GROUP BY f.provider_agb
            HAVING count(*) FILTER (WHERE t.surveyed IS NOT TRUE) > ? * count(*)
            ORDER BY without_pct DESC""", [warehouse.months_behind_warn, warehouse.missing_survey_warn]).df()
    return warn_result(passed=providers.empty, metadata={
        "threshold_pct": 100 * warehouse.missing_survey_warn, "providers_above": len(providers),
        "providers": examples(providers),
        "what_to_do": dg.MetadataValue.text(
            "Remind these providers that the contract asks the national outcome set at the end of every "
            "trajectory; their outcome figures rest on the few that report and may not be representative.")})


@warn_check(asset="outcome_responses",
            description="Every outcome record refers to an allocation number seen in the declarations; one "
            "that does not is a typing error, or care that was never declared.",
            label_nl="Elke uitkomstmeting hoort bij een traject waarvoor gedeclareerd is.")
def outcomes_match_declarations(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        unknown = con.execute("""
            SELECT r.provider_agb, r.municipality_code, count(*) AS responses
            FROM staging.outcome_responses AS r
            ANTI JOIN (SELECT DISTINCT municipality_code, allocation_number FROM staging.declaration_lines) AS d
                USING (municipality_code, allocation_number)
            GROUP BY ALL ORDER BY responses DESC""").df()
        total = con.execute("SELECT count(*) FROM staging.outcome_responses").fetchone()[0]
    return warn_result(passed=unknown.empty, metadata={
        "responses": int(total), "responses_without_declarations": int(unknown["responses"].sum()) if len(unknown)
        else 0, "by_provider": examples(unknown),
        "what_to_do": dg.MetadataValue.text(
            "Check the allocation numbers with these providers: a typing error in the outcome file, or care that "
            "was never declared (then ask for the declarations).")})


survey_coverage_checks = [finished_trajectories_have_outcomes, outcomes_match_declarations]
