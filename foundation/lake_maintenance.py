"""The lake's maintenance (issue 40; docs/platform.md, "Publications in the lake"): earlier
publications stay readable for JEUGDZORG_LAKE_RETENTION_DAYS, then their snapshots are expired, the
small files that many small commits leave are merged, and the unused files and those a killed
writer left are removed.

Which publications stay readable: a publication is the current one from its `published_at` until
the next publication's `published_at`; it stays readable while it was the current one at any time
within the last N days, that is while it was superseded less than N days ago (the latest one always).
Its snapshot is then never expired. Every snapshot older than the oldest publication kept (the
snapshots of the publications before it, DuckLake's first, any commit between them) is expired, and
the rows of those publications are deleted from `published.publications` in the SAME transaction, so
the table never names a snapshot that can no longer be read (measured with DuckLake for DuckDB 1.4.4:
`ducklake_expire_snapshots` inside a transaction takes effect with its COMMIT and not after a
ROLLBACK). The times compared are the publications' own `published_at` (what `about` records and
the letters cite), in the pipeline's time zone, against `now`, a parameter so a test can say "500
days later".

The working catalog `lake` has no publications: its snapshots older than N days are expired
(DuckLake never expires a catalog's latest snapshot). Both catalogs then get
`ducklake_merge_adjacent_files` (files written by adjacent commits to one table merged into one;
the merged file keeps which rows each snapshot held, so time travel to a kept snapshot still works)
and `ducklake_cleanup_old_files` for the files that expiring and merging left unused, but only those
scheduled for deletion more than FILE_DELETE_DELAY before `now`: a query that started before may
still be reading them (DuckLake's own advice: "a few days"). With the weekly schedule a file left
unused by one run is removed by the next.

Last, `ducklake_delete_orphaned_files` removes the files under a catalog's data folder that no
snapshot lists and nothing has scheduled for deletion: the Parquet files of a writer killed before
its commit (docs/platform.md, "Publications in the lake"). A writer's files are such
files too until it commits, so only those last written more than FILE_DELETE_DELAY before `now`
go (DuckLake compares the file's modification time): the same delay as above, for the same fact
seen from the other side, no transaction on the lake lasts that long. A file left by a killed writer
costs space only, and is removed by the first run three days after it was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb

from foundation.lake import METADATA_SCHEMAS, PUBLISHED, WORKING, Lake
from foundation.lake_publish import COMMIT_AUTHOR, PUBLICATIONS_TABLE
from foundation.sql import transaction

# How long no transaction on the lake lasts, with a wide margin: a file scheduled for deletion that long
# ago is read by no query still running, and a file written that long ago that no snapshot lists
# belongs to no writer still to commit (a publication's copy into the lake takes minutes)
FILE_DELETE_DELAY = timedelta(days=3)


@dataclass
class CatalogMaintenance:
    """What one run did to one catalog."""

    catalog: str
    snapshots_expired: list[int] = field(default_factory=list)
    versions_no_longer_readable: list[int] = field(default_factory=list)
    data_files_before_merge: int = 0
    data_files_after_merge: int = 0
    files_removed: list[str] = field(default_factory=list)
    orphaned_files_removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.snapshots_expired or self.versions_no_longer_readable or self.files_removed
                    or self.orphaned_files_removed or self.data_files_before_merge != self.data_files_after_merge)


def _exists(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
                       "AND table_name = ?", [catalog, schema, table]).fetchone()[0] > 0


def _live_data_files(con: duckdb.DuckDBPyConnection, catalog: str) -> int:
    """The data files the catalog's latest snapshot reads (DuckLake's catalog table, as the writer sees it)."""
    (count,) = con.execute(f"SELECT count(*) FROM __ducklake_metadata_{catalog}.{METADATA_SCHEMAS[catalog]}"
                           ".ducklake_data_file WHERE end_snapshot IS NULL").fetchone()
    return count


def _expire_publications(con: duckdb.DuckDBPyConnection, cutoff: datetime, done: CatalogMaintenance) -> None:
    if not _exists(con, PUBLISHED, "main", "publications"):
        return  # nothing published in the lake yet
    rows = con.execute(f"""
        SELECT version, snapshot_id,
               lead(published_at::TIMESTAMPTZ) OVER (ORDER BY version) AS superseded_at
        FROM {PUBLICATIONS_TABLE} ORDER BY version""").fetchall()
    if not rows:
        return
    # the oldest publication still readable: the first superseded within the period, else the latest
    oldest_kept, oldest_kept_snapshot = next((v, s) for v, s, superseded in rows
                                             if superseded is None or superseded >= cutoff)
    gone = [v for v, _, _ in rows if v < oldest_kept]
    expire = [s for (s,) in con.execute(f"SELECT snapshot_id FROM ducklake_snapshots('{PUBLISHED}') "
                                        "WHERE snapshot_id < ? ORDER BY snapshot_id",
                                        [oldest_kept_snapshot]).fetchall()]
    if not gone and not expire:
        return
    with transaction(con):
        if gone:
            con.execute(f"DELETE FROM {PUBLICATIONS_TABLE} WHERE version < ?", [oldest_kept])
            con.execute("CALL ducklake_set_commit_message(?, ?, ?, extra_info => ?)",
                        [PUBLISHED, COMMIT_AUTHOR, "lake maintenance: publications no longer readable",
                         json.dumps({"versions_no_longer_readable": gone})])
        expired = [r[0] for r in con.execute(
            f"FROM ducklake_expire_snapshots('{PUBLISHED}', versions => ?::UBIGINT[])", [expire]).fetchall()]
    done.snapshots_expired, done.versions_no_longer_readable = sorted(expired), gone


def _expire_working(con: duckdb.DuckDBPyConnection, cutoff: datetime, done: CatalogMaintenance) -> None:
    done.snapshots_expired = sorted(r[0] for r in con.execute(
        f"FROM ducklake_expire_snapshots('{WORKING}', older_than => ?::TIMESTAMPTZ)", [cutoff]).fetchall())


def _compact(con: duckdb.DuckDBPyConnection, catalog: str, older_than: datetime, done: CatalogMaintenance) -> None:
    """Merge small files, then delete the files scheduled for deletion and the orphaned ones (listed by
    no snapshot) from before `older_than` (see the module's docstring)."""
    done.data_files_before_merge = _live_data_files(con, catalog)
    con.execute(f"CALL ducklake_merge_adjacent_files('{catalog}')")
    done.data_files_after_merge = _live_data_files(con, catalog)
    done.files_removed = [r[0] for r in con.execute(
        f"FROM ducklake_cleanup_old_files('{catalog}', older_than => ?::TIMESTAMPTZ)", [older_than]).fetchall()]
    done.orphaned_files_removed = [r[0] for r in con.execute(
        f"FROM ducklake_delete_orphaned_files('{catalog}', older_than => ?::TIMESTAMPTZ)", [older_than]).fetchall()]


def maintain_lake(lake: Lake, retention_days: int, now: datetime | None = None,
                  file_delete_delay: timedelta = FILE_DELETE_DELAY) -> list[CatalogMaintenance]:
    """Expire what the retention no longer keeps, merge small files, remove unused and orphaned ones,
    in the published catalog and then the working one (see the module's docstring). `now` defaults
    to the clock; a naive `now` is taken as UTC. `file_delete_delay` is FILE_DELETE_DELAY but for a
    test that cannot wait three days for the files it made."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    cutoff = now - timedelta(days=retention_days)
    report = []
    with lake.writing() as con:
        for catalog, expire in ((PUBLISHED, _expire_publications), (WORKING, _expire_working)):
            done = CatalogMaintenance(catalog)
            expire(con, cutoff, done)
            _compact(con, catalog, now - file_delete_delay, done)
            report.append(done)
    return report
