"""WARN checks for what a person should look at but that must not stop the night run.

A provider or file with many quarantined rows, a municipality whose declarations stopped
arriving: each is reported with the rows to act on, and the thresholds are settings of the
Warehouse resource. (WARN checks that are one query on a mart are declared in its YAML:
checks/declared_warn.py.)
"""

import dagster as dg

from assets.ingest.assets import MESSAGE_ASSETS, raw_declarations, raw_surveys
from assets.ingest.files import outstanding_rejections, providers_quarantined_above, quarantined_above
from assets.transform import model_declaring
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
                         f"`marts.{model_declaring('rule_catalogue')}`). Where to look: "
                         f"`marts.{model_declaring('quarantine_per_file_rule')}` in the working file, per file and "
                         f"rule (`{model_declaring('quarantine_per_kind_rule')}` in the BI file, per kind). What to "
                         "do: ask the provider for a corrected file under the same name; the next run reads it."))

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


operational_checks = [
    build_quarantine_rate_check(raw_declarations, "declarations", "raw.declaration_rows"),
    build_quarantine_rate_check(raw_surveys, "surveys", "raw.survey_rows"),
    build_rejected_files_check(raw_declarations, "declarations"),
    build_rejected_files_check(raw_surveys, "surveys"),
    *(build_quarantine_rate_check(asset, k.kind, k.target) for k, asset in MESSAGE_ASSETS),
    *(build_rejected_files_check(asset, k.kind) for k, asset in MESSAGE_ASSETS),
    declarations_are_current,
]
