"""Open an untrusted CSV export as rows of text with line numbers.

UTF-8 files (with or without BOM) are read by DuckDB's CSV reader: that path carries national
volumes. DuckDB's own latin-1 decoder rejects the bytes 0x80-0x9F that Windows-1252 uses for
characters such as the euro sign, so a file that is not UTF-8 is decoded by Python as
Windows-1252 and handed to DuckDB in Arrow batches; such exports are small. Either way the
caller receives text columns named by the contract (header matched case-insensitively), and a
row's `line_no` is its line in the file (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

SNIFF_BYTES = 64 * 1024
ARROW_BATCH_ROWS = 100_000


class RejectedFile(Exception):
    """The file as a whole cannot be read; the message says why, without personal data."""


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    encoding: str  # "utf-8" or "cp1252"
    header: tuple[str, ...]  # as written in the file
    positions: dict[str, int]  # contract column -> index in the header


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(4 * 1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def inspect_csv(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvLayout:
    """Find delimiter, encoding and the contract columns, or reject the file with a reason."""
    with path.open("rb") as fh:
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


def duckdb_relation_sql(path: Path, layout: CsvLayout, columns: tuple[str, ...]) -> str:
    """SQL selecting line_no and the contract columns (text) straight from a UTF-8 file."""
    names = [f"c{i}" for i in range(len(layout.header))]
    spec = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
    select = ", ".join(
        f"c{layout.positions[c]} AS {c}" if c in layout.positions else f"NULL::VARCHAR AS {c}" for c in columns
    )
    quoted_path = str(path).replace("'", "''")
    return (
        f"SELECT (row_number() OVER () + 1)::BIGINT AS line_no, {select} "
        f"FROM read_csv('{quoted_path}', header=false, skip=1, columns={{{spec}}}, delim='{layout.delimiter}', "
        "quote='\"', escape='\"', encoding='utf-8', null_padding=true, strict_mode=false, auto_detect=false)"
    )


def text_relation(con: duckdb.DuckDBPyConnection, path: Path, layout: CsvLayout, columns: tuple[str, ...],
                  view: str) -> str:
    """SQL for the whole file as text rows; a Windows-1252 file is decoded in Python and registered as `view`.

    For small files (reference tables); declarations stream Windows-1252 files batch by batch instead.
    """
    if layout.encoding == "utf-8":
        return duckdb_relation_sql(path, layout, columns)
    con.register(view, pa.concat_tables(list(python_batches(path, layout, columns))))
    return f"SELECT * FROM {view}"


def python_batches(path: Path, layout: CsvLayout, columns: tuple[str, ...]) -> Iterator[pa.Table]:
    """Arrow batches of text for files DuckDB cannot decode itself (Windows-1252)."""
    schema = pa.schema([("line_no", pa.int64()), *[(c, pa.string()) for c in columns]])
    with path.open("r", encoding=layout.encoding, newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=layout.delimiter)
        next(reader, None)
        buffer: list[list] = [[] for _ in range(len(columns) + 1)]
        for row in reader:
            if not row:
                continue
            buffer[0].append(reader.line_num)
            for i, c in enumerate(columns, start=1):
                pos = layout.positions.get(c)
                buffer[i].append(row[pos] if pos is not None and pos < len(row) and row[pos] != "" else None)
            if len(buffer[0]) >= ARROW_BATCH_ROWS:
                yield pa.Table.from_arrays([pa.array(col) for col in buffer], schema=schema)
                buffer = [[] for _ in range(len(columns) + 1)]
        if buffer[0]:
            yield pa.Table.from_arrays([pa.array(col) for col in buffer], schema=schema)
