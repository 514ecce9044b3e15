"""Publish the marts as the BI file: built beside the target, then renamed over it atomically.

BI tools hold the published file open read-only; DuckDB allows one writer or many readers, so
the pipeline never writes to it in place. A new file is written next to it (same filesystem),
closed, and moved over the old one with os.replace: a reader sees the old file or the new one,
never half of either. The storage version keeps it readable for DuckDB 1.4 clients. Every model
in the dbt project's marts folder is published, with the labels dbt wrote as comments.
"""


import os

import dagster as dg
import duckdb

from assets.sql import data_through
from assets.transform import MART_KEYS, models_in
from pipelines.core.warehouse import Warehouse

STORAGE_VERSION = "v1.0.0"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_comments(con: duckdb.DuckDBPyConnection, table: str, catalog: str) -> None:
    """The table's and its columns' comments in the working file, onto its copy in `catalog`."""
    (comment,) = con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
                             "AND schema_name = 'marts' AND table_name = ?", [table]).fetchone()
    if comment:
        con.execute(f"COMMENT ON TABLE {catalog}.marts.{table} IS {_quote(comment)}")
    for column, text in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'marts' AND table_name = ? AND comment IS NOT NULL", [table]).fetchall():
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
        con.execute(f"ATTACH '{tmp}' AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        try:
            con.execute("CREATE SCHEMA pub.marts")
            for table in models_in("marts"):
                con.execute(f"CREATE TABLE pub.marts.{table} AS SELECT * FROM marts.{table}")
                copy_comments(con, table, "pub")
                counts[table] = con.execute(f"SELECT count(*) FROM pub.marts.{table}").fetchone()[0]
            con.execute("CHECKPOINT pub")
        finally:
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
