"""Retracting a file: its rows leave the warehouse as if it had never been loaded.

One bad line that the row rules let through (an amount of EUR 261,600 on one client-month)
fails a blocking check, and deleting the file from raw/ does not help: its rows are loaded.
Retraction removes them, keeps the file in the registry as `retracted` with the reason and
time (so the per-file data-quality table shows what happened), and counts the removed rows as retracted, which
keeps the accounting identity: read = loaded + quarantined + duplicate + retracted.

Nothing else may be lost. Where a later file repeated one of the retracted file's reference
numbers, that later row was marked an exact duplicate or D09 because the retracted row came
first; with it gone, the repeats are judged again, so the earliest remaining row now loads.
For outcome records the "latest response wins" rule (S09) is judged again the same way.
The registry keeps the file's name and content hash, so the same content is not read again; a
corrected file (new content) is read by the next run, whatever its name. When a bad delivery and
its correction share a name, the registry holds two versions of it: retraction then asks which
one (`name@<first characters of its SHA-256>`), so the correction is never thrown away with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from assets.ingest.declarations import COUNTS_SQL, resolve_repeats
from assets.ingest.files import UNREAD
from assets.ingest.messages import MESSAGE_KINDS, mark_duplicates
from assets.ingest.surveys import SUPERSEDE_SQL
from foundation.pseudonyms import mask_bsns
from foundation.schema import DECLARATION_ROWS, SURVEY_ROWS
from foundation.sql import transaction

MESSAGES = {k.kind: k for k in MESSAGE_KINDS}
ROWS_TABLE = {"declarations": DECLARATION_ROWS, "surveys": SURVEY_ROWS} | {k.kind: k.target for k in MESSAGE_KINDS}


class RetractionError(ValueError):
    """The file cannot be retracted; the message says why and what to do instead."""


@dataclass(frozen=True)
class Retraction:
    source_file: str
    kind: str
    sha256: str  # the version retracted
    rows_removed: int
    rows_reinstated: int  # rows of other files that load now that the retracted rows are gone


def find_file(con: duckdb.DuckDBPyConnection, name: str,
              shown: Callable[[str], str] = mask_bsns) -> tuple[str, str, list[int]]:
    """The registry's name (`kind/file`), kind and file ids of the one version `name` points at.

    `name` is `kind/file`, a path ending in it, or a bare file name that only one kind has,
    optionally followed by `@` and the first characters of the version's SHA-256. A name that
    has more than one version not yet retracted (a bad delivery and its correction under the
    same name) needs that suffix: retracting both would throw the correction away for good."""
    name = shown(name)  # the registry knows a name only with its BSN-like numbers masked
    base, at, sha = name.rpartition("@")
    if at and re.fullmatch(r"[0-9a-fA-F]{1,64}", sha):  # a version suffix; an @ inside a file name stays put
        name = base
    else:
        sha = ""
    parts = name.replace("\\", "/").rstrip("/").split("/")
    candidates = ["/".join(parts[-2:])] if len(parts) > 1 else []
    rows = con.execute("SELECT DISTINCT source_file, kind FROM registry.files WHERE list_contains(?, source_file) "
                       "OR (? AND ends_with(source_file, '/' || ?))",
                       [candidates, len(parts) == 1, parts[-1]]).fetchall()
    if not rows:
        raise RetractionError(f"the registry has no file named {name!r}; registry.files (and the data-quality "
                              "table per file) lists every file by the name to use, for example declarations/<file>")
    if len(rows) > 1:
        raise RetractionError(f"{name!r} names more than one file ({', '.join(r[0] for r in rows)}): "
                              "give the kind too, for example declarations/<file>")
    source_file, kind = rows[0]
    if kind not in ROWS_TABLE:
        raise RetractionError(f"{source_file} is {kind} data, which is read whole at every run: remove or replace "
                              "the file in raw/ instead")
    versions = con.execute("SELECT file_id, sha256, status, message, ingested_at FROM registry.files "
                           "WHERE source_file = ? AND status <> 'retracted' AND starts_with(sha256, ?) "
                           "ORDER BY file_id", [source_file, sha.lower()]).fetchall()
    if not versions:
        raise RetractionError(f"{source_file}{'@' + sha if sha else ''} has no version that is not retracted yet")
    if len(versions) > 1:  # a row refused unread holds no data: retracting means the version that was read
        versions = [v for v in versions if v[1] != UNREAD] or versions[-1:]
    if len(versions) > 1:
        listed = "; ".join(f"{source_file}@{v[1][:8]} ({v[2]}, read {v[4]:%Y-%m-%d %H:%M})" for v in versions)
        raise RetractionError(f"{source_file} has {len(versions)} versions: {listed}. Say which one, for example "
                              f"FILE={source_file}@{versions[0][1][:8]}")
    file_id, _, status, message, _ = versions[0]
    if status == "already_loaded":
        raise RetractionError(f"{source_file} was not read: its content had been loaded before ({message}). "
                              "Retract that file instead")
    return source_file, kind, [file_id]


def retract(con: duckdb.DuckDBPyConnection, name: str, reason: str,
            shown: Callable[[str], str] = mask_bsns) -> Retraction:
    """Retract one version of a file (see find_file), in one transaction. A retraction is final
    for that content: the registry keeps its hash, so the same content is never read again."""
    if not reason.strip():
        raise RetractionError("say why the file is retracted: the reason is kept in the registry and shown in "
                              "the data-quality table per file")
    source_file, kind, ids = find_file(con, name, shown)
    table = ROWS_TABLE[kind]
    with transaction(con):
        others_loaded = _loaded(con, table) - _loaded(con, table, ids)
        removed = con.execute(f"SELECT count(*) FROM {table} WHERE list_contains(?, file_id)", [ids]).fetchone()[0]
        if kind == "declarations":
            _retract_declarations(con, ids)
        elif kind in MESSAGES:
            # a duplicate of one of its rows loads again in its place: judge them all again
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, file_id)", [ids])
            con.execute(f"UPDATE {table} SET status = 'loaded', message = NULL WHERE status = 'duplicate'")
            mark_duplicates(con, MESSAGES[kind], 0)
        else:
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, file_id)", [ids])
            con.execute(SUPERSEDE_SQL)
        con.execute("""
            UPDATE registry.files
            SET status = 'retracted', rows_retracted = rows_loaded + rows_quarantined + rows_duplicate,
                rows_loaded = 0, rows_quarantined = 0, rows_duplicate = 0, retracted_at = now(),
                message = 'retracted: ' || ? || coalesce(' (before: ' || status || ', ' || message || ')',
                                                        ' (before: ' || status || ')')
            WHERE list_contains(?, file_id)""", [reason.strip(), ids])
        reinstated = _loaded(con, table) - others_loaded
        sha = con.execute("SELECT sha256 FROM registry.files WHERE file_id = ?", ids).fetchone()[0]
    return Retraction(source_file, kind, sha, removed, reinstated)


def _retract_declarations(con: duckdb.DuckDBPyConnection, ids: list[int]) -> None:
    """Delete the file's rows; judge again every reference number they had, across all files."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE retracted_keys AS
        SELECT DISTINCT hash(provider_agb, reference_number) AS key FROM {DECLARATION_ROWS}
        WHERE list_contains(?, file_id) AND status = 'loaded'""", [ids])
    con.execute(f"DELETE FROM {DECLARATION_ROWS} WHERE list_contains(?, file_id)", [ids])
    con.execute(f"""
        UPDATE {DECLARATION_ROWS} SET status = 'loaded', rule_id = NULL, message = NULL
        WHERE (status = 'duplicate' OR rule_id = 'D09')
          AND hash(provider_agb, reference_number) IN (SELECT key FROM retracted_keys)""")
    con.execute("DROP TABLE retracted_keys")
    resolve_repeats(con, 0)
    con.execute(COUNTS_SQL, {"first": 0})


def _loaded(con: duckdb.DuckDBPyConnection, table: str, ids: list[int] | None = None) -> int:
    """Loaded rows in `table`, or in the files `ids` only."""
    where = "" if ids is None else "AND list_contains($ids, file_id)"
    return con.execute(f"SELECT count(*) FROM {table} WHERE status = 'loaded' {where}",
                       {} if ids is None else {"ids": ids}).fetchone()[0]
