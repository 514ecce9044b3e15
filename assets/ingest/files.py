"""The file registry: which raw files were seen, in which order, and what became of them.

A file is known by its SHA-256. Dropping the same bytes again (under any name) is recorded once
as `already_loaded` and changes nothing else; a run that meets only known files does nothing.
A file still under the name, size and modification time it was registered with is taken as
known without hashing it again: five years of national declarations are 5 GB, and hashing them
every night was most of a night with nothing new (`make`, rsync and backup tools trust the same
signs; a file rewritten in place keeps neither its time nor, mostly, its size).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd


@dataclass(frozen=True)
class RawFile:
    file_id: int
    path: Path
    source_file: str  # path relative to raw/, as shown to users
    sha256: str
    size: int
    modified_ns: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def discover(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Input files in the contract's order: modification time, then name."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def plan_new_files(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str,
                   suffixes: tuple[str, ...]) -> tuple[list[RawFile], int]:
    """Register files never seen before; return those with new content and the count of re-drops.

    A re-drop (known content under a new name) gets its own registry row with status
    `already_loaded`, pointing at the earlier file, and is not read again.
    """
    known_pairs = set(con.execute("SELECT source_file, sha256 FROM registry.files").fetchall())
    unchanged = set(con.execute("SELECT source_file, size_bytes, modified_ns FROM registry.files "
                                "WHERE modified_ns IS NOT NULL").fetchall())
    first_by_sha = dict(con.execute(
        "SELECT sha256, arg_min(source_file, file_id) FROM registry.files GROUP BY sha256").fetchall())
    next_id = next_file_id(con)
    new_files: list[RawFile] = []
    redrops = 0
    restat: list[tuple[str, str, int, int]] = []
    for path in discover(raw_dir / kind, suffixes):
        source = f"{kind}/{path.name}"
        stat = path.stat()
        if (source, stat.st_size, stat.st_mtime_ns) in unchanged:
            continue
        sha = sha256_of(path)
        if (source, sha) in known_pairs:
            # registered before files kept their size and time, or touched since: remember them now
            restat.append((source, sha, stat.st_size, stat.st_mtime_ns))
            continue
        if sha in first_by_sha:
            register(con, next_id, source, sha, kind, "already_loaded",
                     f"same content as {first_by_sha[sha]}; not read again", stat=stat)
            redrops += 1
        else:
            first_by_sha[sha] = source
            new_files.append(RawFile(next_id, path, source, sha, stat.st_size, stat.st_mtime_ns))
        known_pairs.add((source, sha))
        next_id += 1
    if restat:
        con.execute("UPDATE registry.files AS f SET size_bytes = s.size, modified_ns = s.modified FROM "
                    "(SELECT unnest($names) AS name, unnest($shas) AS sha, unnest($sizes) AS size, "
                    "unnest($modified) AS modified) AS s WHERE f.source_file = s.name AND f.sha256 = s.sha",
                    {"names": [r[0] for r in restat], "shas": [r[1] for r in restat],
                     "sizes": [r[2] for r in restat], "modified": [r[3] for r in restat]})
    return new_files, redrops


def register(con: duckdb.DuckDBPyConnection, file_id: int, source_file: str, sha256: str, kind: str, status: str,
             message: str | None = None, rows: int = 0, stat: os.stat_result | None = None) -> None:
    """Add a registry row; `rows` is for files loaded whole (reference), read = loaded; `stat` lets
    the next run know the file unchanged without hashing it."""
    con.execute(
        "INSERT INTO registry.files (file_id, source_file, sha256, kind, status, rows_read, rows_loaded, message, "
        "ingested_at, size_bytes, modified_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?)",
        [file_id, source_file, sha256, kind, status, rows, rows, message, stat and stat.st_size,
         stat and stat.st_mtime_ns],
    )


def register_run(con: duckdb.DuckDBPyConnection, files: list[RawFile], kind: str, rejected: dict[int, str]) -> None:
    """Register every file of a run, rejected with its reason or loaded, in one statement: a run of
    ten thousand one-message files would otherwise spend most of a second on single inserts."""
    con.execute(
        "INSERT INTO registry.files (file_id, source_file, sha256, kind, status, message, ingested_at, size_bytes, "
        "modified_ns) SELECT unnest($ids), unnest($names), unnest($shas), $kind, unnest($statuses), "
        "unnest($messages), now(), unnest($sizes), unnest($modified)",
        {"ids": [f.file_id for f in files], "names": [f.source_file for f in files], "shas": [f.sha256 for f in files],
         "kind": kind, "statuses": ["rejected" if f.file_id in rejected else "loaded" for f in files],
         "messages": [rejected.get(f.file_id) for f in files], "sizes": [f.size for f in files],
         "modified": [f.modified_ns for f in files]})


def set_rows_read(con: duckdb.DuckDBPyConnection, read: dict[int, int]) -> None:
    """Record per file how many rows its reader produced: the left side of the accounting identity."""
    if read:
        con.execute(
            "UPDATE registry.files AS f SET rows_read = r.n FROM (SELECT unnest(?::INTEGER[]) AS file_id, "
            "unnest(?::BIGINT[]) AS n) AS r WHERE f.file_id = r.file_id", [list(read), list(read.values())])


# A rejected file waits for a person until a later file takes its name (a corrected delivery) or
# it is retracted; until then it is listed at every run, not only at the run that met it.
OUTSTANDING_REJECTIONS_SQL = """
SELECT source_file, message AS reason, ingested_at AS rejected_at FROM registry.files AS f
WHERE kind = ? AND status = 'rejected'
  AND NOT EXISTS (SELECT 1 FROM registry.files AS g WHERE g.source_file = f.source_file AND g.file_id > f.file_id)
ORDER BY file_id
"""


def update_counts_sql(rows_table: str) -> str:
    """SQL ($first: the run's first file id) that sets each file's loaded, quarantined and
    duplicate counts from the rows stored: the right side of the accounting identity."""
    return f"""
    UPDATE registry.files AS f SET rows_loaded = s.loaded, rows_quarantined = s.quarantined,
           rows_duplicate = s.duplicate
    FROM (
        SELECT file_id, count(*) FILTER (WHERE status = 'loaded') AS loaded,
               count(*) FILTER (WHERE status = 'quarantined') AS quarantined,
               count(*) FILTER (WHERE status = 'duplicate') AS duplicate
        FROM {rows_table} WHERE file_id >= $first GROUP BY file_id
    ) AS s
    WHERE f.file_id = s.file_id
"""


def outstanding_rejections(con: duckdb.DuckDBPyConnection, kind: str) -> pd.DataFrame:
    return con.execute(OUTSTANDING_REJECTIONS_SQL, [kind]).df()


def next_file_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM registry.files").fetchone()[0]


@dataclass
class IngestSummary:
    """What one ingestion run did, in the terms of the accounting identity."""

    files_new: int = 0
    files_loaded: int = 0
    files_rejected: int = 0
    files_already_loaded: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rejected: list[str] = field(default_factory=list)

    def fill_from_registry(self, con: duckdb.DuckDBPyConnection, files: list[RawFile],
                           rejected: dict[int, str]) -> None:
        self.rejected = [f"{f.source_file}: {rejected[f.file_id]}" for f in files if f.file_id in rejected]
        (self.files_loaded, self.files_rejected, self.rows_read, self.rows_loaded, self.rows_quarantined,
         self.rows_duplicate) = con.execute(
            "SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status = 'rejected'), "
            "coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0), "
            "coalesce(sum(rows_duplicate), 0) FROM registry.files WHERE file_id IN (SELECT unnest(?::INTEGER[]))",
            [[f.file_id for f in files]]).fetchone()


def plan_run(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str,
             suffixes: tuple[str, ...]) -> tuple[list[RawFile], IngestSummary]:
    """The new files of a kind, and the summary the ingestion will fill in."""
    files, redrops = plan_new_files(con, raw_dir, kind, suffixes)
    return files, IngestSummary(files_new=len(files), files_already_loaded=redrops)
