"""Read the first sheet of an untrusted Excel workbook as rows of text, streaming.

openpyxl's read-only mode streams the sheet XML row by row; with defusedxml installed it
refuses entity tricks inside the workbook's XML parts. Excel turns codes into numbers (0141
becomes 141.0) and dates into datetimes: cells are turned back into the text a CSV would hold,
and padding restores the zeros later, exactly as for CSV.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from assets.ingest.csv_source import ARROW_BATCH_ROWS, RejectedFile, text_schema

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3  # a zip bomb expands far beyond any real survey export


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def xlsx_batches(path: Path, required: tuple[str, ...], optional: tuple[str, ...],
                 columns: tuple[str, ...]) -> Iterator[pa.Table]:
    """Arrow batches (line_no + contract columns as text) of the first sheet, or RejectedFile."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise RejectedFile(f"not an Excel workbook (xlsx is a zip archive): {exc}") from exc
    if expanded > MAX_UNCOMPRESSED_BYTES:
        raise RejectedFile(f"workbook expands to {expanded:,} bytes, above the limit of {MAX_UNCOMPRESSED_BYTES:,}")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RejectedFile(f"not a readable Excel workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [(_text(v) or "").lower() for v in next(rows, ())]
        positions = {c: header.index(c) for c in (*required, *optional) if c in header}
        missing = [c for c in required if c not in positions]
        if missing:
            raise RejectedFile(f"first sheet lacks required column(s) {', '.join(missing)}")
        schema = text_schema(columns)
        buffer: dict[str, list] = {name: [] for name in schema.names}
        for line_no, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            buffer["line_no"].append(line_no)
            for c in columns:
                pos = positions.get(c)
                buffer[c].append(_text(row[pos]) if pos is not None and pos < len(row) else None)
            if len(buffer["line_no"]) >= ARROW_BATCH_ROWS:
                yield pa.Table.from_pydict(buffer, schema=schema)
                buffer = {name: [] for name in schema.names}
        if buffer["line_no"]:
            yield pa.Table.from_pydict(buffer, schema=schema)
    finally:
        workbook.close()
