"""Which rows a staged table's contract check judges: the rows that are new, or every row.

A row that met the contract when the last complete publish judged it meets it still: rows
enter and leave the raw layer only with a file, a loaded row is never edited, and the suite is
code. So a night judges the rows of the files registered since that publish in full, and the
rows judged before only by the suite's null and range rules, which one cheap pass of a few
comparisons decides: the whole-table invariant that the reasoning still holds.
Every row is judged again when that reasoning does not hold: a full rebuild, no complete publish
yet, new code or engines (the suite or a code list may have changed), or a retraction since (it
lets rows in that were held back as duplicates of the retracted file's rows, and were never
judged).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from assets.fingerprint import code_version


@dataclass(frozen=True)
class Scope:
    files_after: int | None  # judge the rows of files with a higher file_id; None: every row
    reason: str

    @property
    def everything(self) -> bool:
        return self.files_after is None


def rows_to_judge(con: duckdb.DuckDBPyConnection, full_rebuild: bool) -> Scope:
    if full_rebuild:
        return Scope(None, "every row: a full rebuild")
    last = con.execute("""
        SELECT strftime(published_at, '%Y-%m-%d %H:%M:%S'), code_version, files_through, files_retracted
        FROM registry.publications
        WHERE NOT starts_with(fingerprint, 'partial publication')
        ORDER BY published_at DESC LIMIT 1""").fetchone()
    if last is None or last[2] is None:
        return Scope(None, "every row: no complete publish has recorded what it judged yet")
    published_at, code, through, retracted = last
    if code != code_version():
        return Scope(None, f"every row: the code or an engine changed since the publish of {published_at}")
    (now_retracted,) = con.execute("SELECT count(*) FROM registry.files WHERE status = 'retracted'").fetchone()
    if now_retracted != retracted:
        return Scope(None, f"every row: a file was retracted since the publish of {published_at}, which may have "
                           "let in rows that were held back as its duplicates")
    return Scope(through, f"the rows of files registered since the publish of {published_at} (file_id > {through}); "
                          "the rows judged before by the null and range rules only")


def judged_rows(con: duckdb.DuckDBPyConnection, table: str, scope: Scope, before: bool = False) -> str:
    """A relation with the rows of `table` that `scope` judges in full: the table itself, or a
    temporary table of the rows whose file (source_file and source_sha256) was registered after
    the watermark, copied once because the suite reads its rows a dozen times. `before`: the other
    rows, those judged at an earlier publish, as a view (they are read once)."""
    if scope.everything:
        return table
    name = f"{'judged_before' if before else 'judged'}_{table.replace('.', '_')}"
    con.execute(f"""
        CREATE OR REPLACE TEMP {'VIEW' if before else 'TABLE'} {name} AS
        SELECT t.* FROM {table} AS t
        SEMI JOIN (SELECT source_file, sha256 AS source_sha256 FROM registry.files
                   WHERE file_id {'<=' if before else '>'} {int(scope.files_after)}) AS f
            USING (source_file, source_sha256)""")
    return name
