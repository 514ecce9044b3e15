"""Publish the marts as the BI file: built beside the target, then renamed over it atomically.

BI tools hold the published file open read-only; DuckDB allows one writer or many readers, so
the pipeline never writes to it in place. A new file is written next to it (same filesystem),
closed, and moved over the old one with os.replace: a reader sees the old file or the new one,
never half of either. The storage version keeps it readable for DuckDB 1.4 clients. Every model
in the dbt project's marts folder is published, with the labels dbt wrote as comments, its grain
as PRIMARY KEY, a FOREIGN KEY for every column that names a dimension's key, and a CHECK
constraint for every identity its YAML declares (meta.checks).
"""


import os

import dagster as dg
import duckdb

from assets.sql import data_through
from assets.transform import MART_KEYS, MODELS, models_in
from pipelines.core.warehouse import Warehouse

STORAGE_VERSION = "v1.0.0"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _meta(table: str, key: str) -> list[str]:
    return list((MODELS[table].get("config", {}).get("meta") or {}).get(key) or [])


def grain(table: str) -> list[str]:
    """The mart's grain as its YAML declares it (meta.grain): its primary key."""
    return _meta(table, "grain")


def row_checks(table: str) -> list[str]:
    """What must hold on every row (meta.checks), published as CHECK constraints: a row that breaks
    one fails the publish, so the BI file never holds it."""
    return _meta(table, "checks")


def dimension_keys() -> dict[str, str]:
    """Column name -> the dimension whose one-column grain it is (municipality_code -> dim_municipality)."""
    return {grain(t)[0]: t for t in models_in("marts") if t.startswith("dim_") and len(grain(t)) == 1}


def foreign_keys(table: str) -> dict[str, str]:
    """The columns of `table` that name a dimension's key, with that dimension."""
    columns = MODELS[table]["columns"]
    return {c: dim for c, dim in dimension_keys().items() if c in columns and dim != table}


def publish_order() -> list[str]:
    """Every mart after the dimensions its foreign keys point at."""
    done: list[str] = []
    pending = models_in("marts")
    while pending:
        ready = [t for t in pending if set(foreign_keys(t).values()) <= set(done)]
        done += ready
        pending = [t for t in pending if t not in ready]
    return done


def create_table_sql(con: duckdb.DuckDBPyConnection, table: str, working: str, catalog: str) -> str:
    """The published table with the working table's columns, its grain as PRIMARY KEY and a
    FOREIGN KEY to each dimension it names, so a BI tool sees the model's joins. DuckDB finds a
    referenced table in the schema in use: the caller has switched to `catalog`.marts."""
    columns = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
                          "AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                          [working, table]).fetchall()
    parts = [f'"{c}" {t}' for c, t in columns]
    if grain(table):
        parts.append(f"PRIMARY KEY ({', '.join(grain(table))})")
    parts += [f'FOREIGN KEY ("{c}") REFERENCES {dim} ("{c}")' for c, dim in foreign_keys(table).items()]
    parts += [f"CHECK ({rule})" for rule in row_checks(table)]
    return f"CREATE TABLE {catalog}.marts.{table} ({', '.join(parts)})"


def copy_comments(con: duckdb.DuckDBPyConnection, table: str, working: str, catalog: str) -> None:
    """The table's and its columns' comments in the working file, onto its copy in `catalog`."""
    (comment,) = con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = ? "
                             "AND schema_name = 'marts' AND table_name = ?", [working, table]).fetchone()
    if comment:
        con.execute(f"COMMENT ON TABLE {catalog}.marts.{table} IS {_quote(comment)}")
    for column, text in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? "
            "AND schema_name = 'marts' AND table_name = ? AND comment IS NOT NULL", [working, table]).fetchall():
        con.execute(f'COMMENT ON COLUMN {catalog}.marts.{table}."{column}" IS {_quote(text)}')


@dg.asset(group_name="publish", kinds={"duckdb"}, owners=["team:data"], deps=MART_KEYS,
          description="The BI warehouse jeugdzorg.duckdb: only schema marts (aggregates and dimensions), "
          "every table and column commented, replaced atomically at the end of a successful run.")
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    target = warehouse.published_db
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with warehouse.connect() as con:
        working = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH '{tmp}' AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        try:
            con.execute("CREATE SCHEMA pub.marts")
            con.execute("USE pub.marts")
            for table in publish_order():
                con.execute(create_table_sql(con, table, working, "pub"))
                con.execute(f"INSERT INTO pub.marts.{table} SELECT * FROM {working}.marts.{table}")
                copy_comments(con, table, working, "pub")
                counts[table] = con.execute(f"SELECT count(*) FROM pub.marts.{table}").fetchone()[0]
            con.execute("CHECKPOINT pub")
        finally:
            con.execute(f"USE {working}")
            con.execute("DETACH pub")
        through = data_through(con)
    os.replace(tmp, target)
    context.log.info(f"published {len(counts)} tables to {target}; data through {through['data_through'].value}")
    md = "| table | rows |\n|---|---|\n" + "".join(f"| marts.{t} | {n:,} |\n" for t, n in counts.items())
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(target)),
        "tables": dg.MetadataValue.md(md),
        "storage_version": STORAGE_VERSION,
        "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
        **through,
    })
