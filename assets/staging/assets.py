"""Dagster assets of the staging layer: thin wrappers around one SQL model each."""


from pathlib import Path

import dagster as dg

from assets.ingest.assets import raw_declarations
from assets.sql import header_comment, model_sql, table_metadata
from pipelines.resources import Warehouse

HERE = Path(__file__).parent


@dg.asset(group_name="staging", kinds={"duckdb"}, owners=["team:data"], deps=[raw_declarations],
          description=header_comment(HERE / "declaration_lines.sql"))
def declaration_lines(warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        con.execute(model_sql(HERE / "declaration_lines.sql"))
        # client rows: schema and count only, never a preview
        return dg.MaterializeResult(metadata=table_metadata(con, "staging.declaration_lines", preview=False))


@dg.asset(group_name="staging", kinds={"duckdb"}, owners=["team:data"], deps=[raw_declarations],
          description=header_comment(HERE / "declaration_quarantine.sql"))
def declaration_quarantine(warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        con.execute(model_sql(HERE / "declaration_quarantine.sql"))
        meta = table_metadata(con, "quarantine.declarations", preview=False)
        by_rule = con.execute(
            "SELECT rule_id, count(*) AS rows FROM quarantine.declarations GROUP BY ALL ORDER BY rule_id").df()
    meta["rows_by_rule"] = dg.MetadataValue.md(by_rule.to_markdown(index=False) if len(by_rule) else "_none_")
    return dg.MaterializeResult(metadata=meta)
