"""Read the first sheet of an untrusted Excel workbook as rows of text, streaming.

openpyxl's read-only mode streams the sheet XML row by row; with defusedxml installed it
refuses entity tricks inside the workbook's XML parts. Excel turns codes into numbers (0141
becomes 141.0) and dates into datetimes: cells are turned back into the text a CSV would hold,
and padding restores the zeros later, exactly as for CSV.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from assets.ingest.csv_source import ARROW_BATCH_ROWS, RejectedFile, text_schema
from assets.ingest.regular_files import open_regular
from foundation.settings import XLSX_MAX_ROWS, XLSX_MAX_UNPACKED_MB

UNPACK_CHUNK = 1024**2


@dataclass(frozen=True)
class XlsxLimits:
    """How far an outcome workbook may unpack and how many rows its sheet may hold (settings
    JEUGDZORG_XLSX_MAX_UNPACKED_MB and JEUGDZORG_XLSX_MAX_ROWS)."""

    max_unpacked_bytes: int = XLSX_MAX_UNPACKED_MB * 1024**2
    max_rows: int = XLSX_MAX_ROWS


DEFAULT_LIMITS = XlsxLimits()


def _unpacked_bytes(archive: zipfile.ZipFile, limit: int) -> int:
    """The bytes the workbook's parts really unpack to, counted while decompressing and given up
    just past `limit`: the sizes a zip declares are the sender's word, and a bomb lies in them.
    A part that unpacks beyond its declared size fails its checksum (zipfile raises)."""
    total = 0
    for info in archive.infolist():
        with archive.open(info) as part:
            while chunk := part.read(UNPACK_CHUNK):
                total += len(chunk)
                if total > limit:
                    return total
    return total


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


def xlsx_batches(path: Path, required: tuple[str, ...], optional: tuple[str, ...], columns: tuple[str, ...],
                 limits: XlsxLimits = DEFAULT_LIMITS) -> Iterator[pa.Table]:
    """Arrow batches (line_no + contract columns as text) of the first sheet, or RejectedFile."""
    try:
        with open_regular(path) as fh, zipfile.ZipFile(fh) as archive:
            unpacked = _unpacked_bytes(archive, limits.max_unpacked_bytes)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise RejectedFile(f"not an Excel workbook (xlsx is a zip archive): {exc}") from exc
    if unpacked > limits.max_unpacked_bytes:
        raise RejectedFile(f"workbook unpacks to more than {limits.max_unpacked_bytes:,} bytes (the limit, "
                           "JEUGDZORG_XLSX_MAX_UNPACKED_MB); nothing of it was loaded")
    source = open_regular(path)  # held open while the sheet streams; closed in the finally below
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        source.close()
        raise RejectedFile(f"not a readable Excel workbook: {exc}") from exc
    except Exception as exc:  # openpyxl trips over malformed parts in many ways (a bare <fill/>)
        source.close()
        raise RejectedFile(f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from exc
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
            if line_no - 1 > limits.max_rows:
                raise RejectedFile(f"the first sheet holds more than {limits.max_rows:,} rows (the limit, "
                                   "JEUGDZORG_XLSX_MAX_ROWS); nothing of it was loaded")
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
        source.close()
