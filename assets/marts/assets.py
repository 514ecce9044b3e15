"""One Dagster asset per mart SQL model, with labels applied as DuckDB comments."""


from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest.assets import reference_data
from assets.marts.cost_measures import COST_MEASURES
from assets.marts.effectiveness import sql_params
from assets.marts.labels import COLUMNS, TABLES
from assets.sql import header_comment, model_sql, table_metadata
from assets.staging.assets import declaration_lines, declaration_quarantine, survey_quarantine, trajectory_outcomes
from pipelines.resources import Warehouse

HERE = Path(__file__).parent

# mart -> the assets it reads
MARTS: dict[str, list] = {
    "cost_trends_by_municipality": [declaration_lines, reference_data],
    "cost_by_municipality_year": [declaration_lines, reference_data],
    "cost_by_municipality_product_year": [declaration_lines, reference_data],
    "provider_landscape": [declaration_lines, reference_data],
    "dim_municipality": [declaration_lines, reference_data],
    "dim_provider": [declaration_lines, reference_data],
    "dim_product": [declaration_lines, reference_data],
    "effectiveness_by_municipality": [trajectory_outcomes, reference_data],
    "effectiveness_by_municipality_product": [trajectory_outcomes, reference_data],
    "effectiveness_by_provider": [trajectory_outcomes, reference_data],
    "duration_effect": [trajectory_outcomes],
    "provider_performance": [declaration_lines, trajectory_outcomes, reference_data],
    "data_quality": [declaration_quarantine, survey_quarantine],
    "data_quality_rules": [declaration_quarantine, survey_quarantine],
}


def _escape(text: str) -> str:
    return text.replace("'", "''")


def apply_labels(con: duckdb.DuckDBPyConnection, table: str, catalog: str | None = None) -> None:
    """COMMENT ON the table and each column with its Dutch label (see labels.py)."""
    qualified = f"{catalog}.marts.{table}" if catalog else f"marts.{table}"
    con.execute(f"COMMENT ON TABLE {qualified} IS '{_escape(TABLES[table])}'")
    cols = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? "
        "AND database_name = coalesce(?, current_database())", [table, catalog]).fetchall()
    for (col,) in cols:
        con.execute(f"COMMENT ON COLUMN {qualified}.{col} IS '{_escape(COLUMNS[col])}'")


def build_mart_asset(name: str, deps: list) -> dg.AssetsDefinition:
    path = HERE / f"{name}.sql"

    @dg.asset(name=name, group_name="marts", kinds={"duckdb"}, owners=["team:data"], deps=deps,
              description=header_comment(path))
    def _mart(warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            k = warehouse.min_cell_size
            con.execute(model_sql(path, min_cell_size=k, cost_measures=COST_MEASURES, **sql_params(k)))
            apply_labels(con, name)
            return dg.MaterializeResult(metadata=table_metadata(con, f"marts.{name}"))

    return _mart


mart_assets = [build_mart_asset(name, deps) for name, deps in MARTS.items()]
