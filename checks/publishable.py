"""One blocking check per mart: is this table fit to hand to a BI user?

Every column carries its Dutch label, no text column holds an elfproef-valid 9-digit value (a
raw BSN), and a suppressed row shows nothing but its keys. The BI file is only replaced when
every mart passes. A mart whose suppressed rows rightly show more than their keys (a region's
value beside a suppressed municipality, a provider's public margin, a half of the row with its
own small-cell rule) names those columns in its YAML: meta.shown_when_suppressed.
"""

import dagster as dg

from assets.transform import MART_KEYS, shown_when_suppressed
from checks.gx_runner import findings_markdown
from checks.sql_rules import no_bsn
from foundation.warehouse import Warehouse


def build_publishable_check(asset: dg.AssetKey) -> dg.AssetChecksDefinition:
    table = asset.to_user_string()
    shown = shown_when_suppressed(table)

    @dg.asset_check(asset=asset, name=f"{table}_is_publishable", blocking=True,
                    description="Every column labelled, no elfproef-valid 9-digit value (a raw BSN) in any text "
                    "column, suppressed rows show only their keys (and the columns the mart's YAML names in "
                    "meta.shown_when_suppressed): the BI file is replaced only when every mart passes.")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            columns = con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? "
                "AND database_name = current_database()", [table]).fetchall()
            unlabelled = [c for c, comment in columns if not comment]
            names = {c for c, _ in columns}
            leaking = 0
            if "suppressed" in names:
                measures = sorted(names - shown)
                condition = " OR ".join(f'"{c}" IS NOT NULL' for c in measures) or "false"
                leaking = con.execute(f"SELECT count(*) FROM marts.{table} WHERE suppressed AND ({condition})"
                                      ).fetchone()[0]
            bsn = no_bsn(con, f"marts.{table}")
        passed = not unlabelled and leaking == 0 and bsn.passed
        return dg.AssetCheckResult(passed=passed, metadata={
            "unlabelled_columns": ", ".join(unlabelled) or "none",
            "suppressed_rows_showing_numbers": int(leaking),
            "privacy": dg.MetadataValue.md(findings_markdown([bsn])),
        })

    return _check


publishable_checks = [build_publishable_check(key) for key in MART_KEYS]
