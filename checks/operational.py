"""WARN checks for what a person should look at but that must not stop the night run.

A provider or file with many quarantined rows, a municipality whose declarations stopped
arriving, a month whose spend jumps: each is reported with the rows to act on, and the
thresholds are settings of the Warehouse resource.
"""

import dagster as dg

from assets.ingest.assets import MESSAGE_ASSETS, raw_declarations, raw_surveys
from assets.ingest.files import outstanding_rejections, providers_quarantined_above, quarantined_above
from checks.metadata import examples
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse
from foundation.warn_checks import KIND_NL

# The data cut-off: the month of the latest declared period. A municipality or trajectory whose
# declarations stopped well before it counts as behind, or finished.
CUTOFF_CTE = ("cutoff AS (SELECT date_trunc('month', max(period_end)) AS month "
              "FROM staging.declaration_lines)")


def build_quarantine_rate_check(asset, kind: str, rows_table: str) -> dg.AssetChecksDefinition:
    @warn_check(asset=asset, name=f"{kind}_quarantine_rate",
                description="No file and no provider has more than the share `quarantine_rate_warn` of its rows "
                "quarantined; each one above it is listed with the rule that held back most: ask the provider to "
                "resend. A file or a provider is judged from the size at which one quarantined row stays within "
                "the threshold (20 rows at 5 %): a smaller file, where one row is already 'too many', counts in its "
                "provider's share, and a provider that small is not judged.",
                label_nl=f"Geen bestand en geen aanbieder heeft een groot deel afgekeurde regels ({KIND_NL[kind]}).")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        limit = warehouse.quarantine_rate_warn
        # per file (as the registry counts its rows) and per provider, by one rule
        with warehouse.connect() as con:
            files = quarantined_above(con, kind, rows_table, limit)
            providers = providers_quarantined_above(con, rows_table, limit)
        return warn_result(files.empty and providers.empty, threshold_pct=100 * limit, files_above=len(files),
                     providers_above=len(providers), files=examples(files), providers=examples(providers),
                     what_to_do=dg.MetadataValue.text(
                         "Each line names the rule that held back most of its rows (every rule's id and meaning: "
                         "`marts.dim_rule`). Where to look: `marts.data_quality_rules` in the working file, per "
                         "file and rule (`data_quality_rules_summary` in the BI file, per kind). What to do: ask "
                         "the provider for a corrected file under the same name; the next run reads it."))

    return _check


def build_rejected_files_check(asset, kind: str) -> dg.AssetChecksDefinition:
    @warn_check(asset=asset, name=f"no_rejected_{kind}_files_waiting",
                description="Every rejected file has been dealt with: a corrected file under the same name was "
                "loaded, or it was retracted (`make retract`). Until then it is listed at every run, not only the "
                "run that met it: a rejected delivery must not drop out of sight.",
                label_nl=f"Elk geweigerd bestand ({KIND_NL[kind]}) is vervangen door een goed bestand of bewust "
                "teruggetrokken.")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            waiting = outstanding_rejections(con, kind)
        return warn_result(waiting.empty, files_waiting=len(waiting), files=examples(waiting),
                     what_to_do=dg.MetadataValue.text(
                         "Ask the provider for a corrected file under the same name, or, if none will come, "
                         "acknowledge the rejection with `make retract FILE=<source_file> REASON='...'`."))

    return _check


@warn_check(asset="declaration_lines",
            description="Every municipality's latest declared month is at most `months_behind_warn` months "
            "before the data cut-off (the latest month declared at all): one further behind stopped sending "
            "declarations, and its figures are older than they look.",
            label_nl="Van elke gemeente komen de declaraties tot in de laatste maanden binnen.")
def declarations_are_current(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        behind = con.execute(f"""
            WITH {CUTOFF_CTE}
            SELECT l.municipality_code, any_value(m.municipality_name) AS municipality_name,
                   max(l.service_month) AS latest_month, any_value(c.month) AS cutoff_month
            FROM staging.declaration_lines AS l
            CROSS JOIN cutoff AS c
            LEFT JOIN ref.municipalities AS m USING (municipality_code)
            GROUP BY l.municipality_code
            HAVING max(l.service_month) < any_value(c.month) - to_months(?)
            ORDER BY latest_month""", [warehouse.months_behind_warn]).df()
    return warn_result(behind.empty, municipalities_behind=len(behind), examples=examples(behind),
                 what_to_do=dg.MetadataValue.text(
                     "Find out whether deliveries for these municipalities stopped (a provider, a file that was "
                     "rejected: `no_rejected_declarations_files_waiting`) and say in any report how old their "
                     "figures are."))


@warn_check(asset="cost_trends_by_municipality",
            description="No municipality's spend changes from one month to the next by more than the factor "
            "`spend_jump_factor` (2.0: doubled or halved): such a jump is mostly a missing or double upload.",
            label_nl="De uitgaven van een gemeente springen niet plotseling omhoog of omlaag van de ene maand op de "
                     "andere.")
def no_sudden_spend_jumps(warehouse: Warehouse) -> dg.AssetCheckResult:
    factor = warehouse.spend_jump_factor
    with warehouse.connect() as con:
        jumps = con.execute("""
            WITH monthly AS (
                SELECT municipality_code, service_month AS month, sum(amount_eur) AS spend_eur
                FROM staging.declaration_lines GROUP BY ALL
            ),
            paired AS (
                SELECT *, lag(spend_eur) OVER (PARTITION BY municipality_code ORDER BY month) AS previous_eur,
                       lag(month) OVER (PARTITION BY municipality_code ORDER BY month) AS previous_month
                FROM monthly
            )
            SELECT p.municipality_code, m.municipality_name, p.month, p.previous_eur, p.spend_eur FROM paired AS p
            LEFT JOIN ref.municipalities AS m USING (municipality_code)
            WHERE p.previous_month = p.month - INTERVAL 1 MONTH AND p.previous_eur > 0 AND p.spend_eur > 0
              AND (p.spend_eur > ? * p.previous_eur OR p.spend_eur * ? < p.previous_eur)
            ORDER BY p.municipality_code, p.month""", [factor, factor]).df()
    return warn_result(jumps.empty, factor=factor, jumps=len(jumps), examples=examples(jumps),
                 what_to_do=dg.MetadataValue.text(
                     "A jump is mostly a delivery missing in one month or sent twice: compare the month's files "
                     "in `marts.data_quality` (working file) with the months around it, and ask the provider."))


operational_checks = [
    build_quarantine_rate_check(raw_declarations, "declarations", "raw.declaration_rows"),
    build_quarantine_rate_check(raw_surveys, "surveys", "raw.survey_rows"),
    build_rejected_files_check(raw_declarations, "declarations"),
    build_rejected_files_check(raw_surveys, "surveys"),
    *(build_quarantine_rate_check(asset, k.kind, k.target) for k, asset in MESSAGE_ASSETS),
    *(build_rejected_files_check(asset, k.kind) for k, asset in MESSAGE_ASSETS),
    declarations_are_current,
    no_sudden_spend_jumps,
]
