"""Parse many iJw XML files, on both cores when there are many, into Arrow tables of text.

Declarations (JW323) and the municipality's own messages (JW301/305/307) share this. Files come
back in their order, each with its rows or the reason it is rejected; the Loader
(loading.Loader.parsed) writes them and keeps the accounting.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from assets.ingest.csv_source import read_failure
from assets.ingest.files import RawFile
from assets.ingest.xml_source import MessageSpec, parse_message, to_arrow

PARALLEL_FROM = 16  # below this many files, starting worker processes costs more than it saves
CHUNK_FILES = 8  # files per task handed to a worker process
CHUNKS_AHEAD = 4  # tasks parsed ahead of the writer: bounds memory, keeps both workers busy


def _parse_file(path: str, file_id: int, spec: MessageSpec, columns: tuple[str, ...]) -> tuple[pa.Table | None,
                                                                                            str | None]:
    """One file as an Arrow table of text columns tagged with its file id, or its rejection reason.

    Built where it is parsed: an Arrow table crosses from a worker process as a few buffers, where
    lists of Python strings would be unpickled one object at a time in the main process, which
    also pseudonymises and inserts. Whatever goes wrong rejects this file only (read_failure)."""
    try:
        rows, error = parse_message(path, spec)
    except Exception as exc:  # a vanished file, an I/O error: this file's problem alone
        return None, read_failure(exc)
    return (None, error) if rows is None else (to_arrow(columns, [(file_id, rows)]), None)


def _parse_chunk(tasks: list[tuple[str, int]], spec: MessageSpec,
                 columns: tuple[str, ...]) -> list[tuple[pa.Table | None, str | None]]:
    return [_parse_file(path, file_id, spec, columns) for path, file_id in tasks]


def parsed(files: list[RawFile], spec: MessageSpec,
           columns: tuple[str, ...]) -> Iterator[tuple[RawFile, pa.Table | None, str | None]]:
    """Each file with its parsed rows or its rejection reason, in file order.

    Only a few chunks are parsed ahead of the writer: with everything submitted at once, parsed
    files would pile up in memory whenever writing is the slower side.
    """
    if len(files) < PARALLEL_FROM:
        for f in files:
            yield (f, *_parse_file(str(f.path), f.file_id, spec, columns))
        return
    chunks = [files[i:i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        ahead: deque = deque()
        for chunk in [*chunks, None]:
            if chunk is not None:
                tasks = [(str(f.path), f.file_id) for f in chunk]
                ahead.append((chunk, pool.submit(_parse_chunk, tasks, spec, columns)))
            while ahead and (chunk is None or len(ahead) > CHUNKS_AHEAD):
                done, future = ahead.popleft()
                for f, (table, error) in zip(done, future.result(), strict=True):
                    yield f, table, error
