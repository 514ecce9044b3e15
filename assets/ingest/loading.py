"""Feeding text rows from any file type into DuckDB, one file at a time.

Declarations and surveys share this: the caller supplies `insert(source_sql)`, which wraps the
source in its own normalising INSERT; a file that fails anywhere is reported, its rows removed,
and the other files carry on.
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Callable, Iterator

import duckdb
import pyarrow as pa

from assets.ingest import csv_source
from assets.ingest.files import RawFile, changed_since_listing
from assets.ingest.redact import redact
from assets.ingest.tidy import tidy
from foundation.pseudonyms import Pseudonymiser

Insert = Callable[[str], None]
READ_AHEAD_BATCHES = 2


def with_file_id(table: pa.Table, file_id: int) -> pa.Table:
    return table.append_column("file_id", pa.repeat(pa.scalar(file_id, pa.int32()), table.num_rows))


class _GuardedStream:
    """Batches as a single Arrow stream, so DuckDB takes a whole file (or many) in one statement.

    A reader's error must not surface inside DuckDB, where it would abort the run's transaction:
    the stream ends early instead and keeps the error for the caller to raise afterwards.
    """

    def __init__(self, batches: Iterator[pa.Table], schema: pa.Schema) -> None:
        self.rows = 0
        self.error: Exception | None = None
        self._batches = batches
        self.reader = pa.RecordBatchReader.from_batches(schema, self._guarded())

    def _guarded(self) -> Iterator[pa.RecordBatch]:
        try:
            for table in self._batches:
                self.rows += table.num_rows
                yield from table.to_batches()
        except Exception as exc:  # raised again by insert_stream, outside DuckDB
            self.error = exc


def _read_ahead(batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """The next batches, read on a helper thread while DuckDB works on the current one.

    DuckDB pulls a stream one batch at a time, and its other thread waits meanwhile; pyarrow
    parses without holding the GIL, so reading ahead keeps both cores busy. A reader's error is
    passed along and raised here, in the consumer.
    """
    ready: queue.Queue = queue.Queue(maxsize=READ_AHEAD_BATCHES)
    stop = threading.Event()
    done = object()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for batch in batches:
                put(batch)
                if stop.is_set():
                    return
            put(done)
        except Exception as exc:
            put(exc)

    helper = threading.Thread(target=produce, name="read-ahead", daemon=True)
    helper.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        helper.join()


def insert_stream(con: duckdb.DuckDBPyConnection, batches: Iterator[pa.Table], schema: pa.Schema,
                  insert: Insert) -> int:
    """Insert text batches, tidied, in one statement; return the rows read, or raise the reader's error."""
    stream = _GuardedStream(_read_ahead(tidy(b) for b in batches), schema)
    con.register("text_batch", stream.reader)
    collecting = gc.isenabled()
    gc.disable()  # the readers make many short-lived objects and no cycles: collecting them is wasted work
    try:
        insert("SELECT * FROM text_batch")
    finally:
        if collecting:
            gc.enable()
        con.unregister("text_batch")
    if stream.error is not None:
        raise stream.error
    return stream.rows


def insert_file(con: duckdb.DuckDBPyConnection, batches: Iterator[pa.Table], schema: pa.Schema, file_id: int,
                pseudonyms: Pseudonymiser, insert: Insert) -> int:
    """One file's text batches (line_no + columns), pseudonymised and tagged with its file id, in one statement."""
    return insert_stream(con, (with_file_id(pseudonyms.replace_bsn(b), file_id) for b in batches),
                         pseudonyms.schema(schema).append(pa.field("file_id", pa.int32())), insert)


def discard(con: duckdb.DuckDBPyConnection, target: str, file_id: int) -> None:
    con.execute(f"DELETE FROM {target} WHERE file_id = ?", [file_id])


def insert_csv(con: duckdb.DuckDBPyConnection, f: RawFile, required: tuple[str, ...], optional: tuple[str, ...],
               columns: tuple[str, ...], pseudonyms: Pseudonymiser, insert: Insert, target: str) -> int:
    """Insert a CSV file's rows; return how many rows the reader produced.

    The fast reader gives up on rows of the wrong width: what it inserted is removed from
    `target` and the careful reader takes the file from the start.
    """
    layout = csv_source.inspect_csv(f.path, required, optional)
    schema = csv_source.text_schema(columns)
    try:
        return insert_file(con, csv_source.text_batches(f.path, layout, columns), schema, f.file_id, pseudonyms,
                           insert)
    except csv_source.IrregularFile:
        discard(con, target, f.file_id)
    return insert_file(con, csv_source.python_batches(f.path, layout, columns), schema, f.file_id, pseudonyms,
                       insert)


def read_failure(exc: Exception) -> str:
    """The reason a reader's exception gives for rejecting its file, without personal data or paths.

    Any exception a reader raises rejects that one file: one the readers foresee says why in its
    own words; another (a library's TypeError on a malformed workbook, say) is named with its type,
    so that the file is still listed, alerted and retractable instead of stopping the night."""
    text = redact(str(exc))
    if isinstance(exc, csv_source.READ_ERRORS):
        return text or type(exc).__name__
    return f"unreadable ({type(exc).__name__}{': ' + text if text else ''})"


def load_each(con: duckdb.DuckDBPyConnection, files: list[RawFile], target: str,
              load: Callable[[RawFile], int], progress: Callable[[str], None],
              label: str) -> tuple[dict[int, int], dict[int, str]]:
    """Run `load` per file: return rows read per file and {file_id: redacted reason} for failures.

    A failure removes that file's rows from `target`, and so does a file that changed while it
    was read (its rows may not be the bytes registered). DuckDB errors are not read errors: the
    readers hand DuckDB only text, and the row rules bound every value, so such an error is a
    fault that must stop the run; it is raised again naming the file.
    """
    read: dict[int, int] = {}
    rejected: dict[int, str] = {}
    for i, f in enumerate(files, 1):
        try:
            rows = load(f)
        except duckdb.Error as exc:
            # from None: the cause's text is not redacted, and Dagster would keep it
            raise RuntimeError(f"loading {f.source_file} failed inside DuckDB: {redact(str(exc))}") from None
        except Exception as exc:  # any reader failure costs this file only (see read_failure)
            discard(con, target, f.file_id)
            rejected[f.file_id] = read_failure(exc)
        else:
            if (changed := changed_since_listing(f)) is not None:
                discard(con, target, f.file_id)
                rejected[f.file_id] = changed
            else:
                read[f.file_id] = rows
        if i % 50 == 0 or i == len(files):
            progress(f"read {i}/{len(files)} {label}")
    return read, rejected
