"""Every publication kept in the lake as one DuckLake snapshot (issue 40; docs/platform.md,
"Publications in the lake").

In platform mode (both lake settings), the publish step, once the published DuckDB file is in
place, copies every table of that file's `marts` schema and every view of the file into the lake's
`published` catalog, with the tables' and columns' comments and the views' comments, and adds a
row to `published.main.publications`, all in ONE transaction: DuckLake makes one snapshot per
commit, so each publication is exactly one snapshot, and a reader reads
an earlier one with `AT (VERSION => <snapshot>)`.

Which snapshot holds which publication: the row in `publications` (its `version`, `published_at`,
how far the data runs) is written by the publication's own commit, so DuckLake's `snapshot_id`
virtual column of that row *is* the publication's snapshot, by construction (a snapshot id written
as a value would have to be guessed before the commit, and a concurrent commit to the catalog would
make the guess wrong). The snapshot also carries DuckLake's commit message ("publication v<n>", the
version in its extra info), which `ducklake_snapshots('published')` lists.

Not copied: the file's PRIMARY KEY, FOREIGN KEY and CHECK constraints. DuckLake for DuckDB 1.4.4
refuses PRIMARY KEY ("PRIMARY KEY/UNIQUE constraints are not supported in DuckLake") and CHECK, and
a FOREIGN KEY needs a primary or unique key on the table it points at; the file keeps them, and
the lake's tables hold the same rows. COMMENT ON TABLE and COMMENT ON
COLUMN do work on DuckLake 1.4.4 and are copied.

The file's views are copied too (today the `deprecated` schema: renamed marts under their old
column names, for one release; assets/publish.py, create_deprecation_views), with the view's
comment, which says it is deprecated and what replaces it. Each is made from the file's own
`CREATE VIEW` statement with the published catalog in use, so its `FROM marts.<table>` reads the
lake's table (DuckDB binds a view's names in the view's own catalog, whatever a reader has in use).
Not copied: the comments on a view's COLUMNS. DuckLake for DuckDB 1.4.4 refuses them ("Cannot
comment on columns for entry <view> - it is not a table"); the run's metadata counts them
(`lake_view_column_comments_left_out`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from foundation.lake import PUBLISHED, Lake
from foundation.sql import copy_comments, sql_identifier, sql_literal, transaction
from foundation.warehouse import Warehouse

PUBLICATIONS_TABLE = f"{PUBLISHED}.main.publications"
SOURCE = "publication_file"
COMMIT_AUTHOR = "jeugdzorg-monitor"


@dataclass(frozen=True)
class LakePublication:
    """A publication as the lake holds it."""

    version: int
    snapshot_id: int
    tables: list[str]
    views: list[str]  # schema.view
    view_column_comments_left_out: int  # DuckLake 1.4.4 holds no comment on a view's column


def publish_to_lake(lake: Lake, published_file: Path, version: int, published_at, data_through: str | None,
                    outcome_records_through: str | None, run_id: str) -> LakePublication:
    """Copy every table of `published_file`'s marts schema and every view of the file into the lake's
    published catalog, drop the lake's marts and views the file no longer has, and record the
    publication, in one transaction: one DuckLake snapshot, whose id is returned. On any error the
    transaction is rolled back and the lake's published catalog stays at the previous publication."""
    with lake.writing() as con:
        con.execute(f"ATTACH {sql_literal(str(published_file))} AS {SOURCE} (READ_ONLY)")
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'marts' "
            "ORDER BY table_name", [SOURCE]).fetchall()]
        views = con.execute("SELECT schema_name, view_name, sql, comment FROM duckdb_views() WHERE database_name = ? "
                            "AND NOT internal ORDER BY schema_name, view_name", [SOURCE]).fetchall()
        (column_comments_left_out,) = con.execute(
            "SELECT count(*) FROM duckdb_columns() AS c JOIN duckdb_views() AS v ON c.database_name = v.database_name "
            "AND c.schema_name = v.schema_name AND c.table_name = v.view_name "
            "WHERE c.database_name = ? AND c.comment IS NOT NULL", [SOURCE]).fetchone()
        with transaction(con):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {PUBLISHED}.marts")
            # every view of the latest publication goes and the file's are made again below: a view the
            # file no longer holds leaves the latest publication (time travel keeps it)
            for schema, view in con.execute("SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? "
                                            "AND NOT internal", [PUBLISHED]).fetchall():
                con.execute(f"DROP VIEW {PUBLISHED}.{sql_identifier(schema)}.{sql_identifier(view)}")
            gone = [t for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'marts'",
                [PUBLISHED]).fetchall() if t not in tables]
            for table in gone:  # a mart dropped from the file leaves the latest publication too (time travel keeps it)
                con.execute(f"DROP TABLE {PUBLISHED}.marts.{sql_identifier(table)}")
            for table in tables:
                con.execute(f"CREATE OR REPLACE TABLE {PUBLISHED}.marts.{sql_identifier(table)} AS "
                            f"FROM {SOURCE}.marts.{sql_identifier(table)}")
                copy_comments(con, SOURCE, table, f"{PUBLISHED}.marts.{sql_identifier(table)}")
            _copy_views(con, views)
            con.execute(f"CREATE TABLE IF NOT EXISTS {PUBLICATIONS_TABLE} (version INTEGER NOT NULL, "
                        "published_at TIMESTAMP NOT NULL, data_through VARCHAR, outcome_records_through VARCHAR, "
                        "tables INTEGER NOT NULL, run_id VARCHAR NOT NULL)")
            con.execute(f"COMMENT ON TABLE {PUBLICATIONS_TABLE} IS "
                        + sql_literal("Elke publicatie, een rij per versie; de kolom snapshot_id (DuckLake's virtuele "
                                      "kolom: SELECT snapshot_id, * FROM publications) is de snapshot die haar houdt: "
                                      "lees een eerdere met AT (VERSION => snapshot_id)."))
            con.execute(f"INSERT INTO {PUBLICATIONS_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                        [version, published_at, data_through, outcome_records_through, len(tables), run_id])
            con.execute("CALL ducklake_set_commit_message(?, ?, ?, extra_info => ?)",
                        [PUBLISHED, COMMIT_AUTHOR, f"publication v{version}",
                         json.dumps({"publication_version": version, "run_id": run_id})])
        # the row's snapshot is the commit's: the publication's snapshot
        (snapshot_id,) = con.execute(f"SELECT max(snapshot_id) FROM {PUBLICATIONS_TABLE} WHERE version = ?",
                                     [version]).fetchone()
    return LakePublication(version=version, snapshot_id=snapshot_id, tables=tables,
                           views=[f"{schema}.{view}" for schema, view, _, _ in views],
                           view_column_comments_left_out=column_comments_left_out)


def _copy_views(con: duckdb.DuckDBPyConnection, views: list[tuple[str, str, str, str | None]]) -> None:
    """The file's views (schema, name, its CREATE VIEW statement, comment) made in the published catalog,
    whose views were all dropped before, with each view's comment; a schema that only views of
    earlier publications used is dropped. Inside the publication's transaction.

    The file's statement names the view as schema.view and its tables as marts.<table>, without a
    catalog; run with the published catalog in use, it makes the view there and binds it to the
    lake's tables (checked below: a statement that named another catalog would make the view
    elsewhere, and the publication fails)."""
    wanted = sorted({schema for schema, *_ in views})
    for (schema,) in con.execute("SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND NOT internal "
                                 "AND schema_name NOT IN ('main', 'marts')", [PUBLISHED]).fetchall():
        if schema not in wanted:
            # CASCADE: DuckLake for DuckDB 1.4.4 still counts a view dropped in the same transaction as
            # depending on its schema; the views, the only things such a schema held, are dropped already
            con.execute(f"DROP SCHEMA {PUBLISHED}.{sql_identifier(schema)} CASCADE")
    for schema in wanted:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {PUBLISHED}.{sql_identifier(schema)}")
    (in_use,) = con.execute("SELECT current_database()").fetchone()
    con.execute(f"USE {PUBLISHED}")
    try:
        for _, _, statement, _ in views:
            con.execute(statement)
    finally:
        con.execute(f"USE {sql_identifier(in_use)}")
    made = con.execute("SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal "
                       "ORDER BY schema_name, view_name", [PUBLISHED]).fetchall()
    if made != [(schema, view) for schema, view, _, _ in views]:
        raise RuntimeError(f"the published catalog's views {made} are not the file's "
                           f"{[(schema, view) for schema, view, _, _ in views]}: not published")
    for schema, view, _, comment in views:
        if comment:
            con.execute(f"COMMENT ON VIEW {PUBLISHED}.{sql_identifier(schema)}.{sql_identifier(view)} IS "
                        f"{sql_literal(comment)}")


def publication_snapshots(con: duckdb.DuckDBPyConnection, catalog: str = PUBLISHED) -> dict[int, int]:
    """Publication version -> the DuckLake snapshot that holds it, on a connection with the published
    catalog attached as `catalog` (a writer's or a reader's)."""
    return dict(con.execute(f"SELECT version, max(snapshot_id) FROM {catalog}.main.publications "
                            "GROUP BY version ORDER BY version").fetchall())


def keep_in_lake(warehouse: Warehouse, published_file: Path, version: int, published_at,
                 through: dict[str, dg.MetadataValue], run_id: str) -> dict[str, dg.MetadataValue]:
    """The publish step's hook (assets/publish.py, published_warehouse): in platform mode, the file just
    published kept in the lake as one snapshot, and the run's metadata naming it; in file mode
    nothing, and no metadata. A failure fails the step: the file is published, the lake is not."""
    lake = warehouse.lake()
    if lake is None:
        return {}

    def value(key: str) -> str | None:
        text = through.get(key).value if key in through else None
        return None if text in (None, "no data yet") else text

    kept = publish_to_lake(lake, published_file, version, published_at, value("data_through"),
                           value("outcome_records_through"), run_id)
    dg.get_dagster_logger().info(
        f"publication v{version} kept in the lake: snapshot {kept.snapshot_id} of its published catalog, "
        f"{len(kept.tables)} tables, {len(kept.views)} views"
        + (f" ({kept.view_column_comments_left_out} comments on the views' columns left out: DuckLake holds none)"
           if kept.view_column_comments_left_out else ""))
    return {"lake_snapshot_id": dg.MetadataValue.int(kept.snapshot_id),
            "lake_read_as": dg.MetadataValue.text(f"SELECT ... FROM published.marts.<table> "
                                                  f"AT (VERSION => {kept.snapshot_id})"),
            "lake_views": dg.MetadataValue.text(", ".join(kept.views) or "none"),
            "lake_view_column_comments_left_out": dg.MetadataValue.int(kept.view_column_comments_left_out)}
