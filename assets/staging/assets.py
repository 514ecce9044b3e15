"""Dagster assets of the staging layer: one SQL model each, built by one factory."""

from pathlib import Path

import dagster as dg

from assets.ingest.assets import raw_declarations, raw_surveys, reference_data
from assets.sql import header_comment, markdown_table, model_sql, table_metadata
from pipelines.resources import Warehouse

HERE = Path(__file__).parent


def build_staging_asset(name: str, table: str, deps: list, quarantine: bool = False) -> dg.AssetsDefinition:
    """Staging tables hold client rows: schema and count only, never a preview of rows."""
    path = HERE / f"{name}.sql"

    @dg.asset(name=name, group_name="staging", kinds={"duckdb"}, owners=["team:data"], deps=deps,
              description=header_comment(path))
    def _staging(warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            con.execute(model_sql(path))
            meta = table_metadata(con, table, preview=False)
            if quarantine:
                by_rule = con.execute(f"SELECT rule_id, count(*) AS rows FROM {table} GROUP BY ALL ORDER BY 1").df()
                meta["rows_by_rule"] = dg.MetadataValue.md(markdown_table(by_rule))
        return dg.MaterializeResult(metadata=meta)

    return _staging


declaration_lines = build_staging_asset("declaration_lines", "staging.declaration_lines", [raw_declarations])
declaration_quarantine = build_staging_asset("declaration_quarantine", "quarantine.declarations",
                                             [raw_declarations], quarantine=True)
outcome_responses = build_staging_asset("outcome_responses", "staging.outcome_responses",
                                        [raw_surveys, reference_data])
survey_quarantine = build_staging_asset("survey_quarantine", "quarantine.surveys", [raw_surveys], quarantine=True)
trajectories = build_staging_asset("trajectories", "staging.trajectories", [declaration_lines, outcome_responses])
trajectory_outcomes = build_staging_asset("trajectory_outcomes", "staging.trajectory_outcomes",
                                          [trajectories, reference_data])
