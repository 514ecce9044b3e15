"""Feeding text rows from any file type into an `incoming_*` temp table, one file at a time.

Declarations and surveys share this: the caller supplies `insert(source_sql)`, which wraps the
source in its own normalising INSERT; a file that fails anywhere is reported, its rows removed,
and the other files carry on.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

from assets.ingest import csv_source
from assets.ingest.files import RawFile
from assets.ingest.redact import redact

Insert = Callable[[str], None]
READ_ERRORS = (csv_source.RejectedFile, duckdb.Error, UnicodeError, OSError, ValueError)


def screen(files: list[RawFile], max_bytes: int) -> tuple[list[RawFile], dict[int, str]]:
    """Refuse empty and oversized files before anything parses them."""
    readable, rejected = [], {}
    for f in files:
        if f.size > max_bytes:
            rejected[f.file_id] = f"file is {f.size:,} bytes, above the limit of {max_bytes:,}"
        elif f.size == 0:
            rejected[f.file_id] = "empty file"
        else:
            readable.append(f)
    return readable, rejected


def insert_arrow(con: duckdb.DuckDBPyConnection, table: pa.Table, insert: Insert) -> None:
    con.register("text_batch", table)
    try:
        insert("SELECT * FROM text_batch")
    finally:
        con.unregister("text_batch")


def with_file_id(table: pa.Table, file_id: int) -> pa.Table:
    return table.append_column("file_id", pa.array([file_id] * table.num_rows, pa.int32()))


def insert_csv(con: duckdb.DuckDBPyConnection, f: RawFile, required: tuple[str, ...], optional: tuple[str, ...],
               columns: tuple[str, ...], insert: Insert) -> None:
    """A CSV file's rows: DuckDB reads UTF-8 itself; Windows-1252 goes through Python in batches."""
    layout = csv_source.inspect_csv(f.path, required, optional)
    if layout.encoding == "utf-8":
        relation = csv_source.duckdb_relation_sql(f.path, layout, columns)
        insert(f"SELECT {f.file_id} AS file_id, * FROM ({relation})")
    else:
        for batch in csv_source.python_batches(f.path, layout, columns):
            insert_arrow(con, with_file_id(batch, f.file_id), insert)


def load_each(con: duckdb.DuckDBPyConnection, files: list[RawFile], incoming: str,
              load: Callable[[RawFile], None], progress: Callable[[str], None], label: str) -> dict[int, str]:
    """Run `load` per file; a failure removes that file's rows and records the redacted reason."""
    rejected: dict[int, str] = {}
    for i, f in enumerate(files, 1):
        try:
            load(f)
        except READ_ERRORS as exc:
            con.execute(f"DELETE FROM {incoming} WHERE file_id = ?", [f.file_id])
            rejected[f.file_id] = redact(str(exc)) or type(exc).__name__
        if i % 50 == 0 or i == len(files):
            progress(f"read {i}/{len(files)} {label}")
    return rejected
