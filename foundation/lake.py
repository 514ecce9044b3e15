"""The lake: DuckLake with its catalog in PostgreSQL and its data in Parquet files (issue 40, the
first slice; docs/platform.md).

One lake setting holds two DuckLake catalogs, each in its own PostgreSQL schema of the same database
and its own folder under the data path: `lake` (the working catalog: raw, staging and the marts as
the pipeline builds them) and `published` (the marts BI tools read). They are separate catalogs
because DuckLake keeps every table of a catalog in the same catalog tables (one ducklake_data_file
for all of them), so PostgreSQL can only grant a whole catalog: the reader role is granted the
published one (foundation/lake_roles.py) and never sees a raw or staging table.

Writes go through `Lake.writing()`, one at a time per process: two DuckLake transactions in one
DuckDB process can corrupt the catalog read (issue 40), so a second writer in the same process
waits, and a nested one is refused rather than left to deadlock. Writers that must run side by
side belong in separate processes, where DuckLake's commit checks for a conflicting snapshot.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from foundation.extensions import connect_offline
from foundation.settings import Settings
from foundation.sql import sql_literal

WORKING = "lake"
PUBLISHED = "published"
# the PostgreSQL schema that holds each catalog's tables (DuckLake's METADATA_SCHEMA)
METADATA_SCHEMAS = {WORKING: "jeugdzorg_working", PUBLISHED: "jeugdzorg_published"}
REGION_COLUMN = "youth_care_region"
_QUALIFIED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")

_write_lock = threading.Lock()
_writer_thread: int | None = None


@dataclass(frozen=True)
class Lake:
    """Where the lake's catalogs and files are (JEUGDZORG_LAKE_CATALOG, JEUGDZORG_LAKE_DATA_PATH)."""

    catalog: str  # as DuckLake spells it after 'ducklake:', without a password
    data_path: str

    def data_folder(self, alias: str) -> str:
        """Each catalog's Parquet files in a folder of their own, so read access to the published
        files can be given on the filesystem or object store without the working ones."""
        return f"{self.data_path.rstrip('/')}/{alias}/"

    def attach(self, con: duckdb.DuckDBPyConnection, alias: str, read_only: bool = False,
               snapshot: int | None = None) -> None:
        """ATTACH one of the two catalogs under its alias (at DuckLake snapshot `snapshot`: every table
        as it was then). The password comes from PGPASSWORD or a DuckDB secret of TYPE postgres made
        on `con` before; DuckDB's errors name the catalog string, which holds none."""
        options = [f"DATA_PATH {sql_literal(self.data_folder(alias))}",
                   f"METADATA_SCHEMA {sql_literal(METADATA_SCHEMAS[alias])}"]
        if read_only:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        con.execute(f"ATTACH {sql_literal('ducklake:' + self.catalog)} AS {alias} ({', '.join(options)})")

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with both catalogs attached for writing, the only one in this process while
        it is open (see the module's docstring). Do not hand it to another thread."""
        global _writer_thread
        if _writer_thread == threading.get_ident():
            raise RuntimeError("this thread already writes to the lake: a second DuckLake write transaction in "
                               "one process can corrupt the catalog read; use the open connection")
        with _write_lock:
            _writer_thread = threading.get_ident()
            con = connect_offline()
            try:
                self.attach(con, WORKING)
                self.attach(con, PUBLISHED)
                yield con
            finally:
                con.close()
                _writer_thread = None

    @contextmanager
    def reading(self, snapshot: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with the published catalog attached read-only, as a BI tool or the council
        letters read it; with `snapshot`, as it was at that DuckLake snapshot (an earlier publication:
        foundation/lake_publish.py)."""
        con = connect_offline()
        try:
            self.attach(con, PUBLISHED, read_only=True, snapshot=snapshot)
            yield con
        finally:
            con.close()


def lake_from_settings(settings: Settings) -> Lake | None:
    """The lake the settings name, or None: the DuckDB working file, as without the lake settings."""
    if settings.lake_catalog is None or settings.lake_data_path is None:
        return None
    return Lake(catalog=settings.lake_catalog, data_path=settings.lake_data_path)


def partition_by_region(con: duckdb.DuckDBPyConnection, table: str, column: str = REGION_COLUMN) -> None:
    """Partition a lake table by youth-care region, so a region's night rewrites and reads its own
    files only. DuckLake partitions only the files written after this, so call it right after
    CREATE TABLE, before the first insert; files written before keep their layout."""
    if not _QUALIFIED_NAME.fullmatch(table) or not _QUALIFIED_NAME.fullmatch(column):
        raise ValueError(f"not a plain table or column name: {table!r}, {column!r}")
    con.execute(f"ALTER TABLE {table} SET PARTITIONED BY ({column})")
