"""Publish the marts as the BI file: built beside the target, then renamed over it atomically.

BI tools hold the published file open read-only; DuckDB allows one writer or many readers, so
the pipeline never writes to it in place. A new file is written next to it (same filesystem),
closed, and moved over the old one with os.replace: a reader sees the old file or the new one,
never half of either. The storage version keeps it readable for DuckDB 1.4 clients.
"""


import os

import dagster as dg

from assets.marts.assets import MARTS, apply_labels, mart_assets
from pipelines.resources import Warehouse

STORAGE_VERSION = "v1.0.0"


@dg.asset(group_name="publish", kinds={"duckdb"}, owners=["team:data"], deps=mart_assets,
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
            for table in MARTS:
                con.execute(f"CREATE TABLE pub.marts.{table} AS SELECT * FROM marts.{table}")
                apply_labels(con, table, catalog="pub")
                counts[table] = con.execute(f"SELECT count(*) FROM pub.marts.{table}").fetchone()[0]
            con.execute("CHECKPOINT pub")
        finally:
            con.execute("DETACH pub")
    os.replace(tmp, target)
    context.log.info(f"published {len(counts)} tables to {target}")
    md = "| table | rows |\n|---|---|\n" + "".join(f"| marts.{t} | {n:,} |\n" for t, n in counts.items())
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(target)),
        "tables": dg.MetadataValue.md(md),
        "storage_version": STORAGE_VERSION,
        "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
    })
