"""SQL helpers shared by ingestion and checks, and the description of a table for Dagster metadata."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd

PREVIEW_ROWS = 8


def repeated_hashes_sql(hashes: str) -> str:
    """Each hash of `hashes` (a query yielding one column `key`) that equals its neighbour in
    sorted order: one row per occurrence beyond the first. At ten million keys this sort takes
    less than half the time of a hash aggregate, which must also share the memory limit with a
    run's uncommitted rows."""
    return (f"SELECT key FROM (SELECT key, lag(key) OVER (ORDER BY key) AS previous FROM ({hashes})) "
            "WHERE key = previous")


def markdown_table(df: pd.DataFrame, empty: str = "_none_") -> str:
    """A frame as markdown for the Dagster UI; codes keep their leading zeros (no number parsing)."""
    return df.to_markdown(index=False, disable_numparse=True) if len(df) else empty


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, preview: bool = True) -> dict[str, dg.MetadataValue]:
    """Row count, column schema and (for aggregate tables only) a markdown preview."""
    schema, name = table.split(".")
    cols = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? AND database_name = current_database() ORDER BY column_index",
        [schema, name],
    ).fetchall()
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    meta: dict[str, dg.MetadataValue] = {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.MetadataValue.table_schema(
            dg.TableSchema(columns=[dg.TableColumn(c, t, description=d) for c, t, d in cols])
        ),
        "dagster/table_name": dg.MetadataValue.text(table),
    }
    if preview:
        df = con.execute(f"SELECT * FROM {table} LIMIT {PREVIEW_ROWS}").df()
        meta["preview"] = dg.MetadataValue.md(markdown_table(df, empty="_(no rows)_"))
    return meta
