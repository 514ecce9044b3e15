"""WARN checks for reference data that is missing, so a NULL in a mart is explained, not guessed.

A municipality-year without a youth population gives NULL per young inhabitant; a provider-year
without annual accounts gives a NULL margin. The night run goes on; the data team sees which
figures to request.
"""

import dagster as dg

from checks.metadata import examples
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse


@warn_check(asset="cost_by_municipality_year",
            description="Every municipality-year with spend has a youth population (ref.population): without "
            "it, its per-inhabitant figures are NULL, not guessed.",
            label_nl="Van elke gemeente met uitgaven is het aantal jeugdigen in dat jaar bekend.")
def population_is_complete(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        missing = con.execute("""
            SELECT DISTINCT l.municipality_code, m.municipality_name, l.service_year AS year
            FROM staging.declaration_lines AS l
            LEFT JOIN ref.municipalities AS m USING (municipality_code)
            ANTI JOIN ref.population AS p ON p.municipality_code = l.municipality_code AND p.year = l.service_year
            ORDER BY ALL""").df()
    return warn_result(passed=missing.empty, metadata={
        "municipality_years_missing": len(missing), "examples": examples(missing),
        "what_to_do": dg.MetadataValue.text(
            "Add these municipality-years to `raw/reference/population.csv` (CBS StatLine: inhabitants aged 0-17 "
            "on 1 January); until then their figures per young inhabitant stay empty.")})


@warn_check(asset="provider_performance",
            description="Every provider-year with spend has annual accounts (ref.provider_financials): without "
            "them, its margin is NULL.",
            label_nl="Van elke aanbieder met uitgaven is de jaarrekening van dat jaar bekend.")
def financials_are_complete(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        missing = con.execute("""
            SELECT DISTINCT l.provider_agb, p.provider_name, l.service_year AS year
            FROM staging.declaration_lines AS l
            ANTI JOIN ref.provider_financials AS f ON f.provider_agb = l.provider_agb AND f.year = l.service_year
            LEFT JOIN ref.providers AS p ON p.provider_agb = l.provider_agb
            ORDER BY ALL""").df()
    return warn_result(passed=missing.empty, metadata={
        "provider_years_missing": len(missing), "examples": examples(missing),
        "what_to_do": dg.MetadataValue.text(
            "Ask these providers for their annual accounts (DigiMV) and add them to "
            "`raw/reference/provider_financials.csv`; until then their margin stays empty.")})
