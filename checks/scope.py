"""Which rows of a staged table a contract check judges in full: the new ones, or every row
(foundation/fingerprint.py, `new_since_publication`, decides which and why)."""

from __future__ import annotations

import duckdb

from foundation.fingerprint import Scope


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
