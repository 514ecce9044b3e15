"""Row rules for declarations: each rule that fails sends the row to quarantine with its id.

Rules are evaluated in order and the first failing one is recorded. D09 (a reference number
reused with other content) and exact duplicates need the rows loaded before, so they are
resolved afterwards in `declarations.py`.
"""

from __future__ import annotations

from assets.ingest.row_rules import (
    JEUGDWET_START,
    RowRule,
    bsn_elsewhere_rule,
    elfproef_rule,
    known_municipality_rule,
    quoted,
    required_rule,
)

# The largest values a line may carry (D11). One line is one client, product and month: beyond
# EUR 250,000 it is a typing error (a month of residential care costs about EUR 20,000). The bounds
# keep the rules' arithmetic (volume x tariff) from overflowing, every sum the marts make of fifty
# million such lines inside their DECIMAL(18, 2) (tests/test_hostile_inputs.py builds the marts from
# lines at these bounds), and are the ones the staged table's GX suite tests (checks/gx_suites.py).
MAX_VOLUME = 10_000_000
MAX_LINE_EUR = 250_000  # for an amount and for a tariff
MAX_CENTS = MAX_LINE_EUR * 100

# (condition, message) per required field for D01; the message names the field and what was wrong.
_REQUIRED = (
    ("provider_agb IS NULL", "'aanbieder_agb missing'"),
    ("municipality_code IS NULL", "'gemeentecode missing'"),
    ("client_pseudonym IS NULL", "'bsn missing'"),
    ("reference_number IS NULL", "'referentienummer missing'"),
    ("allocation_number IS NULL", f"'toewijzingnummer ' || {quoted('allocation_text')} || ' is not a whole number'"),
    ("product_category IS NULL", "'productcategorie missing'"),
    ("product_code IS NULL", "'productcode missing'"),
    ("period_start IS NULL", f"'product_begindatum ' || {quoted('period_start_text')} || ' is not a date'"),
    ("period_end IS NULL", f"'product_einddatum ' || {quoted('period_end_text')} || ' is not a date'"),
    ("delivered_volume IS NULL OR delivered_volume < 0",
     f"'geleverd_volume ' || {quoted('volume_text')} || ' is not a whole number >= 0'"),
    ("unit IS NULL", "'eenheid missing'"),
    ("tariff_text IS NOT NULL AND (tariff_cents IS NULL OR tariff_cents < 0)",
     f"'producttarief ' || {quoted('tariff_text')} || ' is not a whole number of eurocents'"),
    ("amount_cents IS NULL OR amount_cents < 0",
     f"'ingediend_bedrag ' || {quoted('amount_text')} || ' is not a whole number of eurocents >= 0'"),
    ("debit_credit IS NULL OR debit_credit NOT IN ('D', 'C')",
     f"'debet_credit ' || {quoted('debit_credit_text')} || ' is not D or C'"),
)

DECLARATION_RULES: tuple[RowRule, ...] = (
    bsn_elsewhere_rule("D10"),
    required_rule("D01", _REQUIRED, why="a line without provider, client, period or amount cannot be counted "
                  "anywhere (the message names each field and its value)"),
    elfproef_rule("D02"),
    RowRule("D03", "AGB code not 8 digits", "NOT is_agb(provider_agb)",
            "'AGB code ''' || provider_agb || ''' is not 8 digits'",
            why="the provider must be identifiable for the provider marts and the 3 % rule"),
    known_municipality_rule("D04", why="money must belong to a real municipality"),
    RowRule("D05", "product category not in JZ020",
            "product_category NOT IN (SELECT code FROM ref.product_categories)",
            "'productcategorie ''' || product_category || ''' is not in code list JZ020'",
            why="category breakdowns would silently miss it"),
    RowRule("D06", "unit not in WJ756", "unit NOT IN (SELECT code FROM ref.units)",
            "'eenheid ''' || unit || ''' is not in code list WJ756'", why="its volume cannot be interpreted"),
    RowRule("D07", "product period not inside one calendar month, or begin after end",
            "period_start > period_end OR date_trunc('month', period_start) <> date_trunc('month', period_end)",
            "'product period ' || period_start || ' to ' || period_end || "
            "CASE WHEN period_start > period_end THEN ' begins after it ends' "
            "ELSE ' is not inside one calendar month' END",
            why="spend is attributed to a month; iJw requires monthly periods"),
    RowRule("D11", "a value beyond the bounds a declaration line can hold, or a period outside the Jeugdwet's",
            f"delivered_volume > {MAX_VOLUME} OR tariff_cents > {MAX_CENTS} OR amount_cents > {MAX_CENTS} "
            f"OR period_start < DATE '{JEUGDWET_START}' OR period_start > current_date",
            f"CASE WHEN delivered_volume > {MAX_VOLUME} THEN 'geleverd_volume ' || delivered_volume || "
            f"' is above the bound of {MAX_VOLUME:,}' "
            f"WHEN tariff_cents > {MAX_CENTS} THEN 'producttarief ' || tariff_cents || "
            f"' eurocents is above the bound of {MAX_CENTS:,}' "
            f"WHEN amount_cents > {MAX_CENTS} THEN 'ingediend_bedrag ' || amount_cents || "
            f"' eurocents is above the bound of {MAX_CENTS:,}' "
            f"WHEN period_start < DATE '{JEUGDWET_START}' THEN 'product period begins ' || period_start || "
            f"', before the Jeugdwet ({JEUGDWET_START})' "
            "ELSE 'product period begins ' || period_start || ', after the ingestion date ' || current_date END",
            why=f"volume above {MAX_VOLUME:,}, tariff or amount above EUR {MAX_LINE_EUR:,}, or a product period "
            f"beginning before the Jeugdwet ({JEUGDWET_START}) or after the ingestion date: one line is one "
            "client, product and month, and beyond these it is a typing error. The same bounds are the staged "
            "table's GX ranges, so one bad value costs its row instead of blocking the night, and every sum the "
            "marts make stays inside their types (`tests/test_hostile_inputs.py` builds them from lines at the "
            "bounds)"),
    # HUGEINT: even values that no rule before this one bounds cannot overflow the product
    RowRule("D08", "amount differs from volume x tariff (TR346)",
            "unit <> '83' AND tariff_cents IS NOT NULL AND amount_cents <> delivered_volume::HUGEINT * tariff_cents",
            "'ingediend_bedrag ' || amount_cents || ' differs from geleverd_volume ' || delivered_volume || "
            "' x producttarief ' || tariff_cents || ' = ' || (delivered_volume::HUGEINT * tariff_cents) || "
            "' (TR346)'",
            why="the invoice does not add up (iJw TR346; judged where a tariff is given and the unit is not 83)"),
)
