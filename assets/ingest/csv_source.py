"""Open an untrusted CSV export as rows of text with line numbers.

UTF-8 files (with or without BOM) are read by pyarrow's multi-threaded CSV reader: that path
carries national volumes, and it numbers lines as it goes (numbering them afterwards in DuckDB,
with a window over the whole file, cost more than the read itself). A file that is not UTF-8 is
decoded by Python as Windows-1252 (the bytes 0x80-0x9F hold characters such as the euro sign);
such exports are small. Either way the caller receives Arrow batches of text columns named by
the contract (header matched case-insensitively), and a row's `line_no` is its line in the file
(the header is line 1; a value with a quoted line break counts as one line).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from assets.ingest.redact import redact
from assets.ingest.regular_files import open_regular
from assets.ingest.tidy import tidy

SNIFF_BYTES = 64 * 1024
ARROW_BATCH_ROWS = 100_000
ARROW_BLOCK_BYTES = 4 * 1024 * 1024  # about 40,000 declaration lines per batch
MAX_LINE_CHARS = 1024 * 1024  # a declaration line is about 100 characters


class RejectedFile(Exception):
    """The file as a whole cannot be read; the message says why, without personal data."""


class IrregularFile(Exception):
    """pyarrow's fast reader cannot parse this file; the careful reader may still read it."""


# what reading an untrusted CSV file may raise, besides IrregularFile
READ_ERRORS = (RejectedFile, csv.Error, UnicodeError, OSError, ValueError)


def read_failure(exc: Exception) -> str:
    """The reason a reader's exception gives for rejecting its file, without personal data or paths.

    Any exception a reader raises rejects that one file: one the readers foresee says why in its
    own words; another (a library's TypeError on a malformed workbook, say) is named with its type,
    so that the file is still listed, alerted and retractable instead of stopping the night."""
    text = redact(str(exc))
    if isinstance(exc, READ_ERRORS):
        return text or type(exc).__name__
    return f"unreadable ({type(exc).__name__}{': ' + text if text else ''})"


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    encoding: str  # "utf-8" or "cp1252"
    header: tuple[str, ...]  # as written in the file
    positions: dict[str, int]  # contract column -> index in the header


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open_regular(path) as fh:
        try:
            while chunk := fh.read(4 * 1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def inspect_csv(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvLayout:
    """Find delimiter, encoding and the contract columns, or reject the file with a reason."""
    with open_regular(path) as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise RejectedFile("empty file")
    if b"\x00" in head:
        raise RejectedFile("binary content (NUL bytes): not a CSV text export")
    encoding = "utf-8" if _is_utf8(path) else "cp1252"
    text = head.decode(encoding, errors="replace").removeprefix("\ufeff")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = tuple(next(csv.reader([first_line], delimiter=delimiter)))
    lowered = [h.strip().strip('"').lower() for h in header]
    positions = {name: lowered.index(name) for name in (*required, *optional) if name in lowered}
    missing = [name for name in required if name not in positions]
    if missing:
        raise RejectedFile(
            f"header lacks required column(s) {', '.join(missing)}; found {len(header)} column(s)"
            + (f" with delimiter '{delimiter}'" if header else "")
        )
    return CsvLayout(delimiter, encoding, header, positions)


def text_table(path: Path, layout: CsvLayout, columns: tuple[str, ...]) -> pa.Table:
    """The whole file as one Arrow table of text; for small files (reference tables)."""
    try:
        table = pa.concat_tables([text_schema(columns).empty_table(), *text_batches(path, layout, columns)])
    except IrregularFile:
        table = pa.concat_tables([text_schema(columns).empty_table(), *python_batches(path, layout, columns)])
    return tidy(table)


def text_batches(path: Path, layout: CsvLayout, columns: tuple[str, ...]) -> Iterator[pa.Table]:
    """Arrow batches (line_no + contract columns as text) of a CSV file, in file order.

    UTF-8 goes through pyarrow's multi-threaded reader, which numbers lines for free; a file it
    cannot parse cleanly (a short or long row, a blank line) raises IrregularFile so the caller
    can discard what it took and read the file with `python_batches`, which is slower but pads
    short rows and counts physical lines.
    """
    if layout.encoding != "utf-8":
        yield from python_batches(path, layout, columns)
        return
    wanted = {layout.positions[c]: c for c in columns if c in layout.positions}
    names = [f"c{i}" for i in range(len(layout.header))]
    schema = text_schema(columns)
    line_no = 2  # the header is line 1
    source = open_regular(path)
    try:
        reader = pa_csv.open_csv(
            source,
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names, block_size=ARROW_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(include_columns=[names[i] for i in wanted],
                                                  column_types={names[i]: pa.string() for i in wanted},
                                                  null_values=[""], strings_can_be_null=True),
        )
        for batch in reader:
            n = batch.num_rows
            by_name = {wanted[int(name[1:])]: batch.column(name) for name in batch.schema.names}
            arrays = [pa.array(np.arange(line_no, line_no + n, dtype=np.int64))]
            arrays += [by_name.get(c, pa.nulls(n, pa.string())) for c in columns]
            line_no += n
            yield refuse_nul(pa.Table.from_arrays(arrays, schema=schema))
    except pa.ArrowInvalid as exc:
        raise IrregularFile(redact(str(exc))) from exc
    finally:
        source.close()


def refuse_nul(table: pa.Table) -> pa.Table:
    """The batch unchanged, or RejectedFile when a value holds a NUL byte anywhere in the file (the
    first 64 KB are sniffed for one; this finds one further on). Looked for in the columns' raw
    bytes, at memory speed: the check runs over every line of every CSV."""
    for name in table.schema.names[1:]:
        for chunk in table.column(name).chunks:
            offsets = np.frombuffer(chunk.buffers()[1], np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
            data = chunk.buffers()[2]
            if data is None or not len(offsets):
                continue
            text = np.frombuffer(data, np.uint8)[offsets[0]:offsets[-1]]
            if np.count_nonzero(text) != len(text):
                row = pc.index(pc.match_substring(table.column(name), "\x00"), True).as_py()
                raise RejectedFile(f"binary content (a NUL byte on line {table.column('line_no')[row]}): "
                                   "not a CSV text export")
    return table


def _capped_lines(fh: TextIO) -> Iterator[str]:
    """Lines of at most MAX_LINE_CHARS: a file of one endless line must not be read into memory whole."""
    while line := fh.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise RejectedFile(f"a line longer than {MAX_LINE_CHARS:,} characters: not a CSV export")
        yield line


def text_schema(columns: tuple[str, ...]) -> pa.Schema:
    """What every reader yields: line_no, then the contract columns as text."""
    return pa.schema([("line_no", pa.int64()), *[(c, pa.string()) for c in columns]])


def python_batches(path: Path, layout: CsvLayout, columns: tuple[str, ...]) -> Iterator[pa.Table]:
    """Arrow batches for files pyarrow does not take: Windows-1252, or rows of the wrong width."""
    schema = text_schema(columns)
    with io.TextIOWrapper(open_regular(path), encoding=layout.encoding, newline="", errors="replace") as fh:
        reader = csv.reader(_capped_lines(fh), delimiter=layout.delimiter)
        next(reader, None)
        buffer: list[list] = [[] for _ in range(len(columns) + 1)]
        for row in reader:
            if not row:
                continue
            buffer[0].append(reader.line_num)
            for i, c in enumerate(columns, start=1):
                pos = layout.positions.get(c)
                buffer[i].append(row[pos] if pos is not None and pos < len(row) else None)
            if len(buffer[0]) >= ARROW_BATCH_ROWS:
                yield refuse_nul(pa.Table.from_arrays([pa.array(col) for col in buffer], schema=schema))
                buffer = [[] for _ in range(len(columns) + 1)]
        if buffer[0]:
            yield refuse_nul(pa.Table.from_arrays([pa.array(col) for col in buffer], schema=schema))
