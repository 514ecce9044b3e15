"""Writing what the readers yield into DuckDB, and keeping the run's accounting.

The readers only read: csv_source and xlsx_source yield a file's rows as Arrow batches of text,
xml_reader yields each file's parsed rows or the reason it is rejected. One Loader per target
writes them through the target's normalising INSERT (`insert_sql`, a function of the source
query) and keeps its Tally: the rows read per file and why each rejected file was rejected. A
file that fails anywhere is reported, its rows removed, and the other files carry on. Every
delivered file goes one way: reader -> Loader -> DuckDB, and back to the caller as a Tally (the
shipped reference tables are read by assets/ingest/reference.py).
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from assets.ingest import csv_source
from assets.ingest.csv_source import read_failure
from assets.ingest.files import RawFile, changed_since_listing
from assets.ingest.redact import redact
from assets.ingest.tidy import tidy
from assets.ingest.xlsx_source import DEFAULT_LIMITS, XlsxLimits, xlsx_batches
from foundation.progress import at_step, progress_line
from foundation.pseudonyms import Pseudonymiser

READ_AHEAD_BATCHES = 2
PARSED_BATCH_ROWS = 50_000  # parsed files (XML) are written in batches of about this many rows


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
        except Exception as exc:  # raised again by Loader.stream, outside DuckDB
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


@dataclass
class Tally:
    """What a run made of its files: rows read per file, and the reason each rejected file was rejected."""

    read: dict[int, int] = field(default_factory=dict)
    rejected: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """The text columns of a file kind: those a file must have, those it may have, and their order."""

    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.optional)


class Loader:
    """Writes one target's files and keeps their Tally (see the module's docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, target: str, insert_sql: Callable[[str], str],
                 layout: Layout, pseudonyms: Pseudonymiser, progress: Callable[[str], None] = lambda _: None,
                 xlsx_limits: XlsxLimits = DEFAULT_LIMITS) -> None:
        self.con, self.target, self.insert_sql, self.layout = con, target, insert_sql, layout
        self.pseudonyms, self.progress, self.xlsx_limits = pseudonyms, progress, xlsx_limits
        self.tally = Tally()

    def stream(self, batches: Iterator[pa.Table], schema: pa.Schema) -> int:
        """Text batches, tidied, in one statement; the rows read, or the reader's error raised."""
        stream = _GuardedStream(_read_ahead(tidy(b) for b in batches), schema)
        self.con.register("text_batch", stream.reader)
        collecting = gc.isenabled()
        gc.disable()  # the readers make many short-lived objects and no cycles: collecting them is wasted work
        try:
            self.con.execute(self.insert_sql("SELECT * FROM text_batch"))
        finally:
            if collecting:
                gc.enable()
            self.con.unregister("text_batch")
        if stream.error is not None:
            raise stream.error
        return stream.rows

    def file(self, f: RawFile, batches: Iterator[pa.Table]) -> int:
        """One file's text batches (line_no + columns), pseudonymised and tagged with its file id."""
        schema = self.pseudonyms.schema(csv_source.text_schema(self.layout.columns))
        return self.stream((with_file_id(self.pseudonyms.replace_bsn(b), f.file_id) for b in batches),
                           schema.append(pa.field("file_id", pa.int32())))

    def read(self, f: RawFile) -> int:
        """A CSV or XLSX file's rows; the rows the reader produced. The fast CSV reader gives up on
        rows of the wrong width: what it inserted is removed and the careful one starts over."""
        columns = self.layout.columns
        if f.path.suffix.lower() == ".xlsx":
            return self.file(f, xlsx_batches(f.path, self.layout.required, self.layout.optional, columns,
                                             self.xlsx_limits))
        layout = csv_source.inspect_csv(f.path, self.layout.required, self.layout.optional)
        try:
            return self.file(f, csv_source.text_batches(f.path, layout, columns))
        except csv_source.IrregularFile:
            self.discard(f.file_id)
        return self.file(f, csv_source.python_batches(f.path, layout, columns))

    def discard(self, file_id: int) -> None:
        self.con.execute(f"DELETE FROM {self.target} WHERE file_id = ?", [file_id])

    def each(self, files: list[RawFile], label: str) -> None:
        """Read the files one by one into the Tally.

        A failure removes that file's rows, and so does a file that changed while it was read (its
        rows may not be the bytes registered). DuckDB errors are not read errors: the readers hand
        DuckDB only text, and the row rules bound every value, so such an error is a fault that
        must stop the run; it is raised again naming the file.
        """
        for i, f in enumerate(files, 1):
            try:
                rows = self.read(f)
            except duckdb.Error as exc:
                # from None: the cause's text is not redacted, and Dagster would keep it
                raise RuntimeError(f"loading {f.source_file} failed inside DuckDB: {redact(str(exc))}") from None
            except Exception as exc:  # any reader failure costs this file only (see read_failure)
                self.discard(f.file_id)
                self.tally.rejected[f.file_id] = read_failure(exc)
            else:
                if (changed := changed_since_listing(f)) is not None:
                    self.discard(f.file_id)
                    self.tally.rejected[f.file_id] = changed
                else:
                    self.tally.read[f.file_id] = rows
            if at_step(i, len(files)):
                self.progress(progress_line("read", i, len(files), label))

    def parsed(self, results: Iterator[tuple[RawFile, pa.Table | None, str | None]], schema: pa.Schema,
               files: int, label: str) -> None:
        """Parsed files (xml_reader.parsed: each file's rows tagged with its id, or why it is rejected)
        into the Tally and, pseudonymised in batches of about PARSED_BATCH_ROWS rows, one statement."""
        self.stream(self._batches(results, files, label), self.pseudonyms.schema(schema))

    def _batches(self, results: Iterator[tuple[RawFile, pa.Table | None, str | None]], files: int,
                 label: str) -> Iterator[pa.Table]:
        pending: list[pa.Table] = []
        pending_rows = 0
        for i, (f, table, error) in enumerate(results, 1):
            error = error or changed_since_listing(f)
            if error is not None:
                self.tally.rejected[f.file_id] = error
            else:
                pending.append(table)
                self.tally.read[f.file_id] = table.num_rows
                pending_rows += table.num_rows
                if pending_rows >= PARSED_BATCH_ROWS:
                    yield self.pseudonyms.replace_bsn(pa.concat_tables(pending))
                    pending, pending_rows = [], 0
            if at_step(i, files):
                self.progress(progress_line("parsed", i, files, label))
        if pending:
            yield self.pseudonyms.replace_bsn(pa.concat_tables(pending))
