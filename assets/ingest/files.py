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
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from assets.ingest.redact import redact
from assets.ingest.regular_files import open_regular
from foundation.pseudonyms import mask_bsns


@dataclass(frozen=True)
class RawFile:
    file_id: int
    path: Path
    source_file: str  # path relative to raw/, as shown to users
    sha256: str
    size: int
    modified_ns: int
    inode: int = 0


UNREAD = "not read"  # the registry's sha256 of a file refused before a byte of it was read
STILL_WRITING = "still being written"
_NOT_REGULAR = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class FileChanged(Exception):
    """The file is not the one listed any more, or its size or time moved while it was hashed."""


@dataclass(frozen=True)
class Listed:
    """One entry of a raw folder, seen without following links: what it is, before anything opens it."""

    path: Path
    source_file: str  # kind/name with any BSN-like number masked: the only form of the name stored or shown
    stat: os.stat_result  # lstat: the entry itself, never a link's target

    def problem(self, max_bytes: int) -> str | None:
        """Why the entry is refused unread, or None for a regular file of a readable size."""
        mode = self.stat.st_mode
        if not stat.S_ISREG(mode):
            what = next((name for test, name in _NOT_REGULAR if test(mode)), "something else")
            return f"{what}, not a regular file: only regular files in raw/ are read (nothing was opened)"
        if self.stat.st_size > max_bytes:
            return f"file is {self.stat.st_size:,} bytes, above the limit of {max_bytes:,} (nothing was read)"
        if self.stat.st_size == 0:
            return "empty file"
        return None

    def fingerprint(self, max_bytes: int) -> tuple[str, str | None]:
        """(SHA-256, None) for a readable regular file; (UNREAD, why) for one refused before or while
        it was hashed (not regular, too large, empty, still being written or replaced)."""
        problem = self.problem(max_bytes)
        if problem is not None:
            return UNREAD, problem
        try:
            return sha256_of(self.path, self.stat), None
        except (FileChanged, OSError) as exc:
            return UNREAD, f"{STILL_WRITING} or replaced ({redact(str(exc))}); it is looked at again at the next run"


def listing(folder: Path, suffixes: tuple[str, ...], shown: Callable[[str], str] = mask_bsns) -> list[Listed]:
    """The entries of a raw folder with one of `suffixes`, in the contract's order (modification
    time, then name), whatever they are: a link, a pipe or a directory named like an input file
    is listed too, so that it is refused with a reason instead of skipped in silence. `shown`
    turns a file name into the only form stored or shown (Pseudonymiser.mask_name: a BSN-like
    number in it becomes a keyed token, so two such names stay two names)."""
    if not folder.is_dir():
        return []
    entries = []
    with os.scandir(folder) as it:
        for e in it:
            if Path(e.name).suffix.lower() not in suffixes:
                continue
            try:
                entries.append(Listed(Path(e.path), f"{folder.name}/{shown(e.name)}", e.stat(follow_symlinks=False)))
            except FileNotFoundError:
                continue  # gone between the listing and its stat: nothing to read, and nothing to say
    return sorted(entries, key=lambda e: (e.stat.st_mtime_ns, e.source_file))


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_dev, b.st_ino, b.st_size, b.st_mtime_ns)


def sha256_of(path: Path, listed: os.stat_result) -> str:
    """The SHA-256 of a regular file as listed. Opened without following a link (a link put in its
    place since the listing is refused) and without blocking (a pipe cannot stall the run); a
    file whose size or time moves while it is hashed is still being written (FileChanged)."""
    with open_regular(path) as fh:
        fd = fh.fileno()
        if not (stat.S_ISREG(listed.st_mode) and _same(os.fstat(fd), listed)):
            raise FileChanged("replaced or changed since it was listed")
        digest = hashlib.sha256()
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
        if not _same(os.fstat(fd), listed):
            raise FileChanged("changed while it was hashed")
    return digest.hexdigest()


def changed_since_listing(f: RawFile) -> str | None:
    """Why the rows just read from a file may not be the bytes it was registered with, or None.

    Checked after its reader finished: the rows belong to the registered SHA-256 only if the file
    is still the same file, with the size and time it was hashed with."""
    try:
        now = os.lstat(f.path)
    except OSError as exc:
        return f"{STILL_WRITING} or removed: it disappeared while being read ({exc.strerror})"
    if (now.st_ino, now.st_size, now.st_mtime_ns) != (f.inode, f.size, f.modified_ns):
        return (f"{STILL_WRITING}: it changed while being read ({f.size:,} bytes when listed, {now.st_size:,} "
                "now); it is read again at the next run")
    return None


def plan_new_files(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str, suffixes: tuple[str, ...],
                   max_bytes: int, shown: Callable[[str], str] = mask_bsns) -> tuple[list[RawFile], int, list[str]]:
    """Register files never seen before; return those with new content, the count of re-drops, and
    `name: reason` of those refused unread.

    What is not a regular file of a readable size is registered as rejected with its reason
    before a byte of it is read, and so is a file whose size or time moves while it is hashed
    (still being written: it is looked at again at a later run). A re-drop (known content under
    a new name) gets its own registry row with status `already_loaded`, pointing at the earlier
    file, and is not read again.
    """
    known_pairs = set(con.execute("SELECT source_file, sha256 FROM registry.files").fetchall())
    unchanged = {(r[0], r[1], r[2]): r[3] for r in con.execute(
        "SELECT source_file, size_bytes, modified_ns, sha256 FROM registry.files WHERE modified_ns IS NOT NULL"
    ).fetchall()}
    first_by_sha = dict(con.execute(
        "SELECT sha256, arg_min(source_file, file_id) FROM registry.files WHERE sha256 <> ? GROUP BY sha256",
        [UNREAD]).fetchall())
    next_id = next_file_id(con)
    new_files: list[RawFile] = []
    refused: list[str] = []
    redrops = 0
    restat: list[tuple[str, str, int, int]] = []
    for entry in listing(raw_dir / kind, suffixes, shown):
        source, st = entry.source_file, entry.stat
        seen = unchanged.get((source, st.st_size, st.st_mtime_ns))
        if seen is not None and (seen != UNREAD or entry.problem(max_bytes) is not None):
            continue  # known as it is; one refused unread is looked at again once its reason is gone
        sha, problem = entry.fingerprint(max_bytes)
        if problem is not None:
            register(con, next_id, source, UNREAD, kind, "rejected", problem, stat=st)
            refused.append(f"{source}: {problem}")
            next_id += 1
            continue
        if (source, sha) in known_pairs:
            # registered before files kept their size and time, or touched since: remember them now
            restat.append((source, sha, st.st_size, st.st_mtime_ns))
            continue
        if sha in first_by_sha:
            register(con, next_id, source, sha, kind, "already_loaded",
                     f"same content as {first_by_sha[sha]}; not read again", stat=st)
            redrops += 1
        else:
            first_by_sha[sha] = source
            new_files.append(RawFile(next_id, entry.path, source, sha, st.st_size, st.st_mtime_ns, st.st_ino))
        known_pairs.add((source, sha))
        next_id += 1
    if restat:
        con.execute("UPDATE registry.files AS f SET size_bytes = s.size, modified_ns = s.modified FROM "
                    "(SELECT unnest($names) AS name, unnest($shas) AS sha, unnest($sizes) AS size, "
                    "unnest($modified) AS modified) AS s WHERE f.source_file = s.name AND f.sha256 = s.sha",
                    {"names": [r[0] for r in restat], "shas": [r[1] for r in restat],
                     "sizes": [r[2] for r in restat], "modified": [r[3] for r in restat]})
    return new_files, redrops, refused


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


def above_threshold_sql(rows: str, quarantined: str) -> str:
    """SQL: more than the share $threshold of `rows` quarantined, judged only where one quarantined
    row alone stays within the threshold (at 5 %: from 20 rows). The one rule for a file and for a
    provider: below that size a single bad row is already 'too many', so a small file counts in its
    provider's share, and a provider that small is not judged at all."""
    return f"{rows} * $threshold >= 1 AND {quarantined} > $threshold * {rows}"


def main_rule_sql(rows_table: str, key: str) -> str:
    """SQL: per `key` of `rows_table`, the rule that held back most of its rows (id and meaning; on a
    tie the lowest id), as main_rule: what to ask the provider for."""
    return f"""
        SELECT h.{key}, first(h.rule_id || ': ' || coalesce(u.title, '?') ORDER BY h.n DESC, h.rule_id) AS main_rule
        FROM (SELECT {key}, rule_id, count(*) AS n FROM {rows_table} WHERE status = 'quarantined' GROUP BY ALL) AS h
        LEFT JOIN ref.rules AS u USING (rule_id) GROUP BY h.{key}"""


def quarantined_above(con: duckdb.DuckDBPyConnection, kind: str, rows_table: str, threshold: float,
                      file_ids: list[int] | None = None) -> pd.DataFrame:
    """The files of `kind` (of `file_ids`; None: all) with more than `threshold` of the rows read
    quarantined (above_threshold_sql), each with the rule that held back most of its rows."""
    return con.execute(f"""
        SELECT f.source_file, f.rows_read, f.rows_quarantined,
               round(100.0 * f.rows_quarantined / f.rows_read, 1) AS quarantined_pct, m.main_rule
        FROM registry.files AS f LEFT JOIN ({main_rule_sql(rows_table, 'file_id')}) AS m USING (file_id)
        WHERE f.kind = $kind AND {above_threshold_sql('f.rows_read', 'f.rows_quarantined')}
          -- a semi-join, not list_contains per row: that is quadratic, 14 s for the 117,739 allocation
          -- files of the demo at real size against 0.2 s
          AND ($file_ids::INTEGER[] IS NULL OR f.file_id IN (SELECT unnest($file_ids::INTEGER[])))
        ORDER BY quarantined_pct DESC, f.source_file""",
                       {"kind": kind, "threshold": threshold, "file_ids": file_ids}).df()


def providers_quarantined_above(con: duckdb.DuckDBPyConnection, rows_table: str, threshold: float) -> pd.DataFrame:
    """The providers with more than `threshold` of their rows in `rows_table` quarantined, by the
    same rule as a file (above_threshold_sql), each with the rule that held back most of them."""
    return con.execute(f"""
        WITH counted AS (
            SELECT provider_agb, count(*) AS rows_read,
                   count(*) FILTER (WHERE status = 'quarantined') AS rows_quarantined
            FROM {rows_table} GROUP BY provider_agb)
        SELECT c.provider_agb, p.provider_name, c.rows_read, c.rows_quarantined,
               round(100.0 * c.rows_quarantined / c.rows_read, 1) AS quarantined_pct, m.main_rule
        FROM counted AS c
        LEFT JOIN ({main_rule_sql(rows_table, 'provider_agb')}) AS m USING (provider_agb)
        LEFT JOIN (SELECT provider_agb, any_value(provider_name) AS provider_name FROM ref.providers GROUP BY ALL) AS p
            USING (provider_agb)
        WHERE {above_threshold_sql('c.rows_read', 'c.rows_quarantined')}
        ORDER BY quarantined_pct DESC, c.provider_agb""", {"threshold": threshold}).df()


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
    rejected: list[str] = field(default_factory=list)  # `name: reason`, those refused unread first
    file_ids: list[int] = field(default_factory=list)  # the files this run registered and read

    def fill_from_registry(self, con: duckdb.DuckDBPyConnection, files: list[RawFile],
                           rejected: dict[int, str]) -> None:
        self.rejected += [f"{f.source_file}: {rejected[f.file_id]}" for f in files if f.file_id in rejected]
        self.file_ids += [f.file_id for f in files]
        (self.files_loaded, files_rejected, self.rows_read, self.rows_loaded, self.rows_quarantined,
         self.rows_duplicate) = con.execute(
            "SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status = 'rejected'), "
            "coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0), "
            "coalesce(sum(rows_duplicate), 0) FROM registry.files WHERE file_id IN (SELECT unnest(?::INTEGER[]))",
            [[f.file_id for f in files]]).fetchone()
        self.files_rejected += files_rejected


def plan_run(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str, suffixes: tuple[str, ...],
             max_bytes: int, shown: Callable[[str], str] = mask_bsns) -> tuple[list[RawFile], IngestSummary]:
    """The new readable files of a kind, and the summary the ingestion will fill in. A file refused
    unread (plan_new_files) counts as new and rejected."""
    files, redrops, refused = plan_new_files(con, raw_dir, kind, suffixes, max_bytes, shown)
    return files, IngestSummary(files_new=len(files) + len(refused), files_already_loaded=redrops,
                                files_rejected=len(refused), rejected=refused)
