"""Parse many iJw XML files, on both cores when there are many, into pseudonymised Arrow batches.

Declarations (JW323) and the municipality's own messages (JW301/305/307) share this. Files come
back in their order; a file that fails to parse is reported as rejected and the others go on.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from assets.ingest.files import RawFile
from assets.ingest.xml_source import MessageSpec, parse_message, to_arrow
from pipelines.core.pseudonyms import Pseudonymiser

BATCH_ROWS = 50_000
PARALLEL_FROM = 16  # below this many files, starting worker processes costs more than it saves
CHUNK_FILES = 8  # files per task handed to a worker process
CHUNKS_AHEAD = 4  # tasks parsed ahead of the writer: bounds memory, keeps both workers busy


def _parse_chunk(paths: list[str], spec: MessageSpec) -> list[tuple[dict[str, list] | None, str | None]]:
    return [parse_message(path, spec) for path in paths]


def parsed(files: list[RawFile], spec: MessageSpec) -> Iterator[tuple[RawFile, dict[str, list] | None, str | None]]:
    """Each file with its parsed rows or its rejection reason, in file order.

    Only a few chunks are parsed ahead of the writer: with everything submitted at once, parsed
    files would pile up in memory whenever writing is the slower side.
    """
    if len(files) < PARALLEL_FROM:
        for f in files:
            yield (f, *parse_message(str(f.path), spec))
        return
    chunks = [files[i:i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        ahead: deque = deque()
        for chunk in [*chunks, None]:
            if chunk is not None:
                ahead.append((chunk, pool.submit(_parse_chunk, [str(f.path) for f in chunk], spec)))
            while ahead and (chunk is None or len(ahead) > CHUNKS_AHEAD):
                done, future = ahead.popleft()
                for f, (table, error) in zip(done, future.result(), strict=True):
                    yield f, table, error


def xml_batches(files: list[RawFile], spec: MessageSpec, columns: tuple[str, ...], pseudonyms: Pseudonymiser,
                read: dict[int, int], rejected: dict[int, str], progress: Callable[[str], None],
                label: str) -> Iterator[pa.Table]:
    """Parsed files gathered into pseudonymised batches of about BATCH_ROWS rows, each row tagged
    with its file; fills `read` (rows per file) and `rejected` (reason per file) as it goes."""
    pending: list[tuple[int, dict[str, list]]] = []
    pending_rows = 0
    for i, (f, table, error) in enumerate(parsed(files, spec), 1):
        if error is not None:
            rejected[f.file_id] = error
        else:
            pending.append((f.file_id, table))
            read[f.file_id] = len(table["line_no"])
            pending_rows += read[f.file_id]
            if pending_rows >= BATCH_ROWS:
                yield pseudonyms.replace_bsn(to_arrow(columns, pending))
                pending, pending_rows = [], 0
        if i % 1000 == 0 or i == len(files):
            progress(f"parsed {i}/{len(files)} {label}")
    if pending:
        yield pseudonyms.replace_bsn(to_arrow(columns, pending))
