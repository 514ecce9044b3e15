"""SQL helpers shared by ingestion and checks, and the description of a table for Dagster metadata."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
import pandas as pd

PREVIEW_ROWS = 8


def sql_literal(text: str) -> str:
    """A string as a SQL literal, for the statements that take no parameters (ATTACH, COMMENT ON)."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A table or column name quoted for SQL, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def copy_comments(con: duckdb.DuckDBPyConnection, source: str, table: str, target: str) -> None:
    """The comments of `source`.marts.`table` (a table or a view) and of its columns, onto `target`
    (a table's full name): the labels a BI user reads go wherever a mart is copied, the published
    file (assets/publish.py) as the lake (foundation/lake_publish.py)."""
    (comment,) = con.execute(
        "SELECT comment FROM (SELECT database_name, schema_name, table_name, comment FROM duckdb_tables() UNION ALL "
        "SELECT database_name, schema_name, view_name, comment FROM duckdb_views()) "
        "WHERE database_name = ? AND schema_name = 'marts' AND table_name = ?", [source, table]).fetchone()
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS {sql_literal(comment)}")
    for column, text in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'marts' "
            "AND table_name = ? AND comment IS NOT NULL ORDER BY column_index", [source, table]).fetchall():
        con.execute(f"COMMENT ON COLUMN {target}.{sql_identifier(column)} IS {sql_literal(text)}")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a run's rows, their registry entries and counts land together, or none of them
    (an error rolls back and is raised again)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the error that stopped the transaction is the one to raise
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")  # a COMMIT that fails (a DuckLake conflict, say) has rolled back already


def repeated_hashes_sql(hashes: str) -> str:
    """Each hash of `hashes` (a query yielding one column `key`) that equals its neighbour in
    sorted order: one row per occurrence beyond the first. At ten million keys this sort takes
    less than half the time of a hash aggregate, which must also share the memory limit with a
    run's uncommitted rows."""
    return (f"SELECT key FROM (SELECT key, lag(key) OVER (ORDER BY key) AS previous FROM ({hashes})) "
            "WHERE key = previous")


def as_read(df: pd.DataFrame) -> pd.DataFrame:
    """A frame as a person reads it, every value text: codes keep their leading zeros, a missing
    value is an empty cell rather than `nan` or `None`, and a date is a date (no 00:00:00 behind it)."""
    shown = df.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values) and (values.dropna() == values.dropna().dt.normalize()).all():
            shown[column] = values.dt.strftime("%Y-%m-%d")
    return shown.astype(object).where(shown.notna(), "").astype(str)


def markdown_table(df: pd.DataFrame, empty: str = "_none_") -> str:
    """A frame as markdown for the Dagster UI (`as_read`; no number parsing)."""
    if not len(df):
        return empty
    return as_read(df).to_markdown(index=False, disable_numparse=True)


def metadata_table(df: pd.DataFrame) -> dg.MetadataValue:
    """A frame as a table the Dagster UI shows in place, without a click (`as_read`); a markdown
    value opens only behind "[Show Markdown]" where a check's result is listed."""
    shown = as_read(df)
    return dg.MetadataValue.table(
        records=[dg.TableRecord(row) for row in shown.to_dict("records")],
        schema=dg.TableSchema(columns=[dg.TableColumn(str(c), "string") for c in shown.columns]))


# A preview shows the latest period first: the first of these a table has orders it, newest first.
TIME_COLUMNS = ("service_month", "month", "year", "service_year", "end_year", "retracted_at", "ingested_at")


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, preview: bool = True) -> dict[str, dg.MetadataValue]:
    """Row count, column schema and (for aggregate tables only) a markdown preview."""
    schema, name = table.split(".")
    cols = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? AND database_name = current_database() ORDER BY column_index",
        [schema, name],
    ).fetchall()
    label = con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
                        "AND database_name = current_database() UNION ALL SELECT comment FROM duckdb_views() "
                        "WHERE schema_name = ? AND view_name = ? AND database_name = current_database()",
                        [schema, name, schema, name]).fetchone()
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    meta: dict[str, dg.MetadataValue] = {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.MetadataValue.table_schema(
            dg.TableSchema(columns=[dg.TableColumn(c, t, description=d) for c, t, d in cols])
        ),
        "dagster/table_name": dg.MetadataValue.text(table),
    }
    if label and label[0]:
        meta["label_nl"] = dg.MetadataValue.text(label[0])
    if preview:
        names = [c for c, _, _ in cols]
        newest = next((f'ORDER BY "{c}" DESC NULLS LAST' for c in TIME_COLUMNS if c in names), "")
        df = con.execute(f"SELECT * FROM {table} {newest} LIMIT {PREVIEW_ROWS}").df()
        meta["preview"] = dg.MetadataValue.md(markdown_table(df, empty="_(no rows)_"))
    return meta


def data_through(con: duckdb.DuckDBPyConnection) -> dict[str, dg.MetadataValue]:
    """How current the data is: the latest month of care declared and the latest outcome record.
    Every mart and the published file carry these, so nobody has to ask."""
    meta: dict[str, dg.MetadataValue] = {}
    for key, sql in (("data_through", "SELECT strftime(max(service_month), '%Y-%m') FROM staging.declaration_lines"),
                     ("outcome_records_through",
                      "SELECT strftime(max(filled_date), '%Y-%m-%d') FROM staging.outcome_responses")):
        try:
            (value,) = con.execute(sql).fetchone()
        except duckdb.CatalogException:  # staging not built yet
            value = None
        meta[key] = dg.MetadataValue.text(value or "no data yet")
    return meta
