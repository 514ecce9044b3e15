"""Every publication kept in the lake as one DuckLake snapshot (issue 40; docs/platform.md,
"Publications in the lake"), on the session's throwaway PostgreSQL: the fixture of
tests/test_publications.py published twice in platform mode, a late credit between them.

v1: a.csv; 0141 spent 1,100 in 2024 for three clients.
v2: + b.csv, P2's credit of c2's February and c3 at 100 in April: 0141's 2024 is 900 for two.

That the reader cannot write to the published catalog, nor read the working one, is
tests/test_lake.py's (test_the_reader_cannot_write, test_the_reader_cannot_read_raw_or_staging).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from foundation.lake import PUBLISHED, Lake
from foundation.lake_maintenance import FILE_DELETE_DELAY, maintain_lake
from foundation.lake_publish import SOURCE, keep_in_lake, publication_snapshots, publish_to_lake
from foundation.settings import SettingsError
from foundation.warehouse import Warehouse, warehouse_from_settings
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY
from tests.test_cost_marts import P2, _line, write_fixture
from tests.test_lake import PASSWORDS, READER, REPO, WRITER, lake_as, lake_database
from tests.test_publications import _write

D = Decimal


def _publish(wh: Warehouse) -> dict:
    """The whole graph, as test_publications publishes; the published_warehouse step's metadata."""
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": wh})
    assert result.success
    (event,) = result.asset_materializations_for_node("published_warehouse")
    return event.metadata


@pytest.fixture(scope="module")
def lake_published(postgres, tmp_path_factory):
    """Two publications in platform mode; the lake's database, its data path, the warehouse, the
    first published file as it was, and each publish step's metadata."""
    database = lake_database(postgres)
    data_dir = tmp_path_factory.mktemp("lake_publications")
    raw = data_dir / "raw"
    write_fixture(raw)
    (raw / "declarations" / "b.csv").unlink()
    with pytest.MonkeyPatch.context() as mp:
        lake = lake_as(WRITER, postgres, database, data_dir / "lake", mp)  # PGPASSWORD: the writer's
        wh = Warehouse(data_dir=str(data_dir), pseudonym_key=TEST_KEY, min_cell_size=1,
                       lake_catalog=lake.catalog, lake_data_path=lake.data_path)
        first_meta = _publish(wh)
        first = data_dir / "v1.duckdb"
        shutil.copy(wh.published_db, first)
        credit = _line("B4", P2, "0141", "c2", "54B01", (2024, 2), 300, dc="C", previous="B3")
        _write(raw / "declarations" / "b.csv", [credit, _line("B5", P2, "0141", "c3", "54B01", (2024, 4), 100)])
        second_meta = _publish(wh)
    return database, data_dir / "lake", wh, first, (first_meta, second_meta)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                                      "AND schema_name = 'marts' ORDER BY table_name", [catalog]).fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple]:
    return con.execute("SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = ? "
                       "AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                       [catalog, table]).fetchall()


def _same_rows(con: duckdb.DuckDBPyConnection, file_table: str, lake_table: str) -> bool:
    """Row for row, duplicates counted: nothing in either that is not in the other, and as many rows."""
    (differ,) = con.execute(f"SELECT count(*) FROM ((FROM {file_table} EXCEPT ALL FROM {lake_table}) "
                            f"UNION ALL (FROM {lake_table} EXCEPT ALL FROM {file_table}))").fetchone()
    (n_file,), (n_lake,) = (con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in (file_table, lake_table))
    return differ == 0 and n_file == n_lake


def test_the_lakes_published_marts_equal_the_published_file(postgres, lake_published, monkeypatch):
    database, data_path, wh, first, _ = lake_published
    table_comments = ("SELECT table_name, comment FROM duckdb_tables() WHERE database_name = ? "
                      "AND schema_name = 'marts' ORDER BY table_name")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        snapshots = publication_snapshots(con)
        for path, at in ((wh.published_db, ""), (first, f" AT (VERSION => {snapshots[1]})")):
            con.execute(f"ATTACH '{path}' AS {SOURCE} (READ_ONLY)")
            tables = _tables(con, SOURCE)
            assert len(tables) > 20 and "revisions" in tables and "about" in tables
            if not at:  # the latest: the same tables, columns, types and comments (time travel reads rows only)
                assert _tables(con, PUBLISHED) == tables
                for table in tables:
                    assert _columns(con, PUBLISHED, table) == _columns(con, SOURCE, table), table
            for table in tables:
                assert _same_rows(con, f"{SOURCE}.marts.{table}", f"{PUBLISHED}.marts.{table}{at}"), (table, at)
            if not at:  # the comments compared above were there to compare
                assert con.execute(table_comments, [SOURCE]).fetchall() == con.execute(
                    table_comments, [PUBLISHED]).fetchall()
                assert all(comment for _, comment in con.execute(table_comments, [PUBLISHED]).fetchall())
            con.execute(f"DETACH {SOURCE}")


def test_each_publication_is_one_snapshot_recorded_in_the_lake_and_the_run(postgres, lake_published, monkeypatch):
    database, data_path, _, _, (first_meta, second_meta) = lake_published
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        snapshots = publication_snapshots(con)
        assert snapshots == {1: first_meta["lake_snapshot_id"].value, 2: second_meta["lake_snapshot_id"].value}
        assert first_meta["publication_version"].value == 1 and second_meta["publication_version"].value == 2
        # after DuckLake's own first snapshot (the catalog made at the first ATTACH), one commit per publication
        made = con.execute("SELECT snapshot_id, commit_message, commit_extra_info::JSON->>'publication_version' "
                           f"FROM ducklake_snapshots('{PUBLISHED}') WHERE snapshot_id > 0 ORDER BY snapshot_id"
                           ).fetchall()
        assert made == [(snapshots[1], "publication v1", "1"), (snapshots[2], "publication v2", "2")]
        rows = con.execute(f"SELECT version, data_through, tables FROM {PUBLISHED}.publications ORDER BY version"
                           ).fetchall()
        assert rows == [(1, "2024-06", rows[0][2]), (2, "2024-06", rows[0][2])] and rows[0][2] > 20
        # the file's about and the lake's publications name the same moment
        assert con.execute(f"SELECT p.published_at = a.published_at FROM {PUBLISHED}.publications AS p, "
                           f"{PUBLISHED}.marts.about AS a WHERE p.version = a.publication_version").fetchall() == [
            (True,)]
    assert "AT (VERSION => " in second_meta["lake_read_as"].value


def test_the_reader_reads_the_latest_and_an_earlier_publication(postgres, lake_published, monkeypatch):
    database, data_path, *_ = lake_published
    spend = ("SELECT spend_eur, clients FROM published.marts.cost_by_municipality_year{} "
             "WHERE municipality_code = '0141' AND year = 2024")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        first = publication_snapshots(con)[1]
        assert con.execute(spend.format("")).fetchall() == [(D("900.00"), 2)]
        assert con.execute(spend.format(f" AT (VERSION => {first})")).fetchall() == [(D("1100.00"), 3)]
        assert con.execute(f"SELECT publication_version FROM published.marts.about AT (VERSION => {first})"
                           ).fetchall() == [(1,)]
        assert con.execute("SELECT publication_version FROM published.marts.about").fetchall() == [(2,)]
        # the snapshot looked up in the same query, as a BI user's saved query would
        con.execute("SET VARIABLE first_publication = (SELECT snapshot_id FROM published.publications "
                    "WHERE version = 1)")
        assert con.execute(spend.format(" AT (VERSION => getvariable('first_publication'))")).fetchall() == [
            (D("1100.00"), 3)]
    # or the whole catalog attached as it was at the first publication: every table without AT
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading(snapshot=first) as con:
        assert con.execute(spend.format("")).fetchall() == [(D("1100.00"), 3)]
        assert con.execute("SELECT version FROM published.publications").fetchall() == [(1,)]


def _views(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str, str]]:
    return con.execute("SELECT schema_name, view_name, comment FROM duckdb_views() WHERE database_name = ? "
                       "AND NOT internal ORDER BY schema_name, view_name", [catalog]).fetchall()


def test_a_bi_reader_reads_the_deprecated_views_in_the_lake_with_their_comments(postgres, lake_published,
                                                                                 monkeypatch):
    """The file's views (the renamed marts under their old column names, for one release) are in the
    lake's latest publication, with the view's deprecation comment, and read as in the file; at the
    first publication's snapshot they read as the first file's. The comments on their columns are
    not: DuckLake holds none, and the run's metadata counts them."""
    database, data_path, wh, first, (_, second_meta) = lake_published
    column_comments = ("SELECT count(*) FROM duckdb_columns() AS c JOIN duckdb_views() AS v USING "
                       "(database_name, schema_name) WHERE c.table_name = v.view_name AND c.database_name = ? "
                       "AND c.comment IS NOT NULL")
    column_types = ("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
                    "AND table_name = ? ORDER BY column_index")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        first_snapshot = publication_snapshots(con)[1]
        con.execute(f"ATTACH '{wh.published_db}' AS {SOURCE} (READ_ONLY)")
        views = _views(con, SOURCE)
        assert views and {schema for schema, _, _ in views} == {"deprecated"}
        assert _views(con, PUBLISHED) == views  # the same views, each with the file's comment
        assert all(comment.startswith("VEROUDERD (deprecated)") for _, _, comment in views)
        for schema, view, _ in views:
            # the old column names and their types, and the rows the file's view gives
            assert con.execute(column_types, [PUBLISHED, schema, view]).fetchall() == con.execute(
                column_types, [SOURCE, schema, view]).fetchall()
            assert _same_rows(con, f"{SOURCE}.{schema}.{view}", f"{PUBLISHED}.{schema}.{view}"), view
        left_out = con.execute(column_comments, [SOURCE]).fetchone()[0]
        assert left_out > 0 and con.execute(column_comments, [PUBLISHED]).fetchone()[0] == 0
        con.execute(f"DETACH {SOURCE}")
        # an earlier publication's view, by time travel (AT works on a DuckLake view, its tables at that snapshot)
        con.execute(f"ATTACH '{first}' AS {SOURCE} (READ_ONLY)")
        for schema, view, _ in _views(con, SOURCE):
            assert _same_rows(con, f"{SOURCE}.{schema}.{view}",
                              f"{PUBLISHED}.{schema}.{view} AT (VERSION => {first_snapshot})"), view
        con.execute(f"DETACH {SOURCE}")
    assert second_meta["lake_views"].value == ", ".join(f"{schema}.{view}" for schema, view, _ in views)
    assert second_meta["lake_view_column_comments_left_out"].value == left_out


def test_a_failed_publication_leaves_the_lake_at_the_previous_one(postgres, lake_published, monkeypatch, tmp_path):
    database, data_path, wh, *_ = lake_published
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    broken = tmp_path / "broken.duckdb"
    with duckdb.connect(str(broken)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.about AS SELECT 99 AS publication_version")
    # the marts are replaced, then recording the publication fails (no published_at): all of it rolls back
    with pytest.raises(duckdb.Error, match="NOT NULL"):
        keep_in_lake(wh, broken, 99, None, {}, "run-that-fails")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        assert sorted(publication_snapshots(con)) == [1, 2]
        assert con.execute("SELECT publication_version FROM published.marts.about").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'published' "
                           "AND schema_name = 'marts'").fetchone()[0] > 20
        # the views were dropped in the failed transaction (the broken file has none): they are back
        con.execute(f"ATTACH '{wh.published_db}' AS {SOURCE} (READ_ONLY)")
        assert _views(con, PUBLISHED) == _views(con, SOURCE) != []
        (latest,) = con.execute(f"SELECT max(snapshot_id) FROM ducklake_snapshots('{PUBLISHED}')").fetchone()
        assert latest == publication_snapshots(con)[2]


def test_file_mode_keeps_nothing_in_a_lake(tmp_path):
    wh = Warehouse(data_dir=str(tmp_path), pseudonym_key=TEST_KEY)
    assert wh.lake() is None
    assert keep_in_lake(wh, tmp_path / "never-read.duckdb", 1, None, {}, "run") == {}


def test_the_lake_settings_reach_the_warehouse_and_are_checked_there_too(monkeypatch, tmp_path):
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JEUGDZORG_LAKE_CATALOG", "postgres:dbname=lake host=127.0.0.1 user=jeugdzorg_writer")
    monkeypatch.setenv("JEUGDZORG_LAKE_DATA_PATH", str(tmp_path / "lake"))
    assert warehouse_from_settings().lake() == Lake(catalog="postgres:dbname=lake host=127.0.0.1 user=jeugdzorg_writer",
                                                    data_path=str(tmp_path / "lake"))
    # a resource built by hand is held to the settings' rules: no password, both or neither
    with pytest.raises(SettingsError, match="must not hold a password") as refused:
        Warehouse(data_dir=str(tmp_path), lake_catalog="postgres:dbname=lake password=hunter2",
                  lake_data_path=str(tmp_path)).lake()
    assert "hunter2" not in str(refused.value)
    with pytest.raises(SettingsError, match="JEUGDZORG_LAKE_DATA_PATH"):
        Warehouse(data_dir=str(tmp_path), lake_catalog="postgres:dbname=lake").lake()


def _fresh_lake(postgres, tmp_path, monkeypatch) -> tuple[str, Path, Lake]:
    """A lake database of its own (the module's lake stays as the tests above read it), as the writer."""
    database = lake_database(postgres)
    data_path = tmp_path / "lake"
    return database, data_path, lake_as(WRITER, postgres, database, data_path, monkeypatch)


def _third_file(wh: Warehouse, folder: Path, ballast_rows: int = 0) -> Path:
    """The second publication's file as a third publication (its `about` says v3); with a large extra
    mart last in the copying order when `ballast_rows`, so that copying it takes seconds."""
    third = folder / "v3.duckdb"
    shutil.copy(wh.published_db, third)
    with duckdb.connect(str(third)) as con:
        con.execute("UPDATE marts.about SET publication_version = 3")
        if ballast_rows:
            con.execute(f"CREATE TABLE marts.zz_ballast AS SELECT range AS i, random() AS r FROM range({ballast_rows})")
    return third


def _files(data_path: Path) -> set[Path]:
    """Every file under the published catalog's data folder."""
    return {f for f in (data_path / PUBLISHED).rglob("*") if f.is_file()}


def _equals_file(con: duckdb.DuckDBPyConnection, path: Path, at: str = "") -> bool:
    """Every mart of the file, row for row, in the lake's published catalog (at `at`: ' AT (...)')."""
    con.execute(f"ATTACH '{path}' AS {SOURCE} (READ_ONLY)")
    try:
        tables = _tables(con, SOURCE)
        return (at != "" or _tables(con, PUBLISHED) == tables) and all(
            _same_rows(con, f"{SOURCE}.marts.{t}", f"{PUBLISHED}.marts.{t}{at}") for t in tables)
    finally:
        con.execute(f"DETACH {SOURCE}")


def test_a_mart_and_views_the_file_no_longer_holds_leave_the_latest_publication_only(
        postgres, lake_published, monkeypatch, tmp_path):
    """Publish the first file, then the second without one mart and without its deprecated views (as
    the release after a rename drops them): the latest publication lacks them, the first
    publication's snapshot still reads them with the rows they had."""
    _, _, wh, first, _ = lake_published
    database, data_path, lake = _fresh_lake(postgres, tmp_path, monkeypatch)
    dropped = "cost_by_municipality_year"
    second = tmp_path / "v2_without_a_mart.duckdb"
    shutil.copy(wh.published_db, second)
    with duckdb.connect(str(second)) as con:
        con.execute(f"DROP TABLE marts.{dropped}")
        con.execute("DROP SCHEMA deprecated CASCADE")
    for version, path in ((1, first), (2, second)):
        publish_to_lake(lake, path, version, datetime.now(), "2024-06", None, f"run-{version}")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        snapshots = publication_snapshots(con)
        assert _equals_file(con, second)  # the latest: exactly the second file's marts, so not the dropped one
        assert dropped not in _tables(con, PUBLISHED)
        with pytest.raises(duckdb.CatalogException, match=dropped):
            con.execute(f"SELECT * FROM {PUBLISHED}.marts.{dropped}")
        assert _views(con, PUBLISHED) == []
        assert con.execute("SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND NOT internal "
                           "ORDER BY 1", [PUBLISHED]).fetchall() == [("main",), ("marts",)]
        # the first publication still holds the mart, row for row, and the views
        at_first = f" AT (VERSION => {snapshots[1]})"
        assert _equals_file(con, first, at_first)
        con.execute(f"ATTACH '{first}' AS {SOURCE} (READ_ONLY)")
        assert _same_rows(con, f"{SOURCE}.marts.{dropped}", f"{PUBLISHED}.marts.{dropped}{at_first}")
        assert con.execute(f"SELECT count(*) FROM {PUBLISHED}.marts.{dropped}{at_first}").fetchone()[0] > 0
        first_views = _views(con, SOURCE)
        for schema, view, _ in first_views:
            assert _same_rows(con, f"{SOURCE}.{schema}.{view}", f"{PUBLISHED}.{schema}.{view}{at_first}"), view
        con.execute(f"DETACH {SOURCE}")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading(snapshot=snapshots[1]) as con:
        assert first_views and _views(con, PUBLISHED) == first_views
        assert dropped in _tables(con, PUBLISHED)


def test_maintenance_expires_what_the_retention_no_longer_keeps(postgres, lake_published, monkeypatch, tmp_path):
    _, _, wh, first, _ = lake_published
    database, data_path, lake = _fresh_lake(postgres, tmp_path, monkeypatch)
    third = _third_file(wh, tmp_path)
    today = datetime.now()
    # v1 published 900 days ago, superseded by v2 600 days ago; v3 superseded v2 100 days ago
    for version, path, days_ago in ((1, first, 900), (2, wh.published_db, 600), (3, third, 100)):
        publish_to_lake(lake, path, version, today - timedelta(days=days_ago), "2024-06", None, f"run-{version}")
    spend = ("SELECT spend_eur FROM published.marts.cost_by_municipality_year{} "
             "WHERE municipality_code = '0141' AND year = 2024")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        snapshots = publication_snapshots(con)

    # 400 days: v1 was last current 600 days ago and goes; v2 was current 100 days ago and stays
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    published, working = maintain_lake(lake, 400)
    assert published.versions_no_longer_readable == [1]
    assert snapshots[1] in published.snapshots_expired and snapshots[2] not in published.snapshots_expired
    assert not working.changed  # the working catalog holds nothing yet
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        assert publication_snapshots(con) == {2: snapshots[2], 3: snapshots[3]}
        with pytest.raises(duckdb.InvalidInputException, match=f"No snapshot found at version {snapshots[1]}"):
            con.execute(spend.format(f" AT (VERSION => {snapshots[1]})"))
        assert con.execute(spend.format(f" AT (VERSION => {snapshots[2]})")).fetchall() == [(D("900.00"),)]

    # 500 days later the retention covers only the latest: v2 goes too, v3 is untouched
    later = datetime.now(UTC) + timedelta(days=500)
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    files_before = set(data_path.rglob("*.parquet"))
    published, _ = maintain_lake(lake, 400, now=later)
    assert published.versions_no_longer_readable == [2] and snapshots[2] in published.snapshots_expired
    assert published.files_removed and not any(Path(f).exists() for f in published.files_removed)
    assert {Path(f) for f in published.files_removed} <= files_before
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        assert con.execute("SELECT snapshot_id, version, run_id FROM published.publications").fetchall() == [
            (snapshots[3], 3, "run-3")]
        for gone in (snapshots[1], snapshots[2]):
            with pytest.raises(duckdb.InvalidInputException, match="No snapshot found"):
                con.execute(spend.format(f" AT (VERSION => {gone})"))
        assert _equals_file(con, third)  # the latest, every mart row for row
        assert _equals_file(con, third, f" AT (VERSION => {snapshots[3]})")  # and at its own snapshot
        kept = con.execute(f"SELECT snapshot_id FROM ducklake_snapshots('{PUBLISHED}') ORDER BY 1").fetchall()

    # a second run finds nothing to do
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    files = set(data_path.rglob("*.parquet"))
    assert not any(done.changed for done in maintain_lake(lake, 400, now=later))
    assert set(data_path.rglob("*.parquet")) == files
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        assert con.execute(f"SELECT snapshot_id FROM ducklake_snapshots('{PUBLISHED}') ORDER BY 1").fetchall() == kept


def test_the_maintenance_job_does_nothing_in_file_mode_and_says_so(tmp_path):
    from pipelines.definitions import defs

    job = defs.resolve_job_def("lake_maintenance")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, resources={
            "warehouse": Warehouse(data_dir=str(tmp_path / "data"), pseudonym_key=TEST_KEY)})
        assert result.success
        logged = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any("file mode" in m and "nothing was done" in m for m in logged), logged
    (output,) = [e for e in result.all_events if e.is_successful_output]
    assert output.event_specific_data.metadata["mode"].value == "file mode: nothing done"
    assert not (tmp_path / "data").exists()  # not even a folder made
    schedule = defs.resolve_schedule_def("lake_maintenance_schedule")
    assert schedule.job_name == "lake_maintenance" and schedule.cron_schedule == "0 4 * * 0"


def test_the_maintenance_job_reports_what_it_did(postgres, lake_published, monkeypatch, tmp_path):
    _, _, wh, first, _ = lake_published
    _, _, lake = _fresh_lake(postgres, tmp_path, monkeypatch)
    today = datetime.now()
    for version, path, days_ago in ((1, first, 900), (2, wh.published_db, 600)):
        publish_to_lake(lake, path, version, today - timedelta(days=days_ago), "2024-06", None, f"run-{version}")
    from pipelines.definitions import defs

    # two files no snapshot lists: one last written longer ago than FILE_DELETE_DELAY (a killed writer's), one
    # just now (as a writer's before its commit)
    stale, fresh = (Path(lake.data_folder(PUBLISHED)) / "marts" / name for name in ("stale.parquet", "fresh.parquet"))
    for orphan in (stale, fresh):
        shutil.copy(next(Path(lake.data_folder(PUBLISHED)).rglob("*.parquet")), orphan)
    long_ago = (datetime.now() - FILE_DELETE_DELAY - timedelta(hours=1)).timestamp()
    os.utime(stale, (long_ago, long_ago))

    resource = Warehouse(data_dir=str(tmp_path), pseudonym_key=TEST_KEY, lake_catalog=lake.catalog,
                         lake_data_path=lake.data_path, lake_retention_days=400)
    result = defs.resolve_job_def("lake_maintenance").execute_in_process(resources={"warehouse": resource})
    assert result.success
    (output,) = [e for e in result.all_events if e.is_successful_output]
    metadata = output.event_specific_data.metadata
    assert metadata["publications_no_longer_readable"].value == [1]
    assert metadata["retention_days"].value == 400
    assert len(metadata["published_snapshots_expired"].value) == 2  # DuckLake's first and v1's
    assert {"published_files_removed", "lake_files_removed", "published_data_files_after_merge"} <= set(metadata)
    assert metadata["file_delete_delay_hours"].value == FILE_DELETE_DELAY.total_seconds() / 3600
    assert metadata["published_orphaned_files_removed"].value == 1
    assert metadata["lake_orphaned_files_removed"].value == 0
    assert not stale.exists() and fresh.exists()


# the child of the kill test: the publish step's own call, in a process of its own
PUBLISH_IN_A_CHILD = """
import sys
from datetime import datetime
from foundation.lake import Lake
from foundation.lake_publish import publish_to_lake
lake = Lake(catalog=sys.argv[1], data_path=sys.argv[2])
publish_to_lake(lake, sys.argv[3], 3, datetime.now(), "2024-06", None, "run-killed")
print("committed", flush=True)
"""


def test_a_publication_killed_in_its_commit_leaves_the_previous_one_and_a_rerun_completes(
        postgres, lake_published, monkeypatch, tmp_path):
    """kill -9 of the process that writes a publication into the lake, while its transaction has
    written Parquet files and not committed: the catalog stays at the previous publication, and the
    same publication run again completes and equals its file. The third file has a large extra mart,
    copied last (tables go in name order), so the child stays inside its transaction while it writes
    that mart; it is killed as soon as that mart's folder appears, a moment known to be after BEGIN
    and before COMMIT. The files it had written are listed by no snapshot; the maintenance removes
    exactly them once they are older than its delay, and every publication still reads as before."""
    _, _, wh, first, _ = lake_published
    database, data_path, lake = _fresh_lake(postgres, tmp_path, monkeypatch)
    for version, path in ((1, first), (2, wh.published_db)):
        publish_to_lake(lake, path, version, datetime.now(), "2024-06", None, f"run-{version}")
    third = _third_file(wh, tmp_path, ballast_rows=6_000_000)
    ballast = data_path / PUBLISHED / "marts" / "zz_ballast"
    listed = _files(data_path)  # v1's and v2's, every one listed by their snapshots
    child = subprocess.Popen([sys.executable, "-c", PUBLISH_IN_A_CHILD, lake.catalog, lake.data_path, str(third)],
                             cwd=REPO, env={**os.environ, "PGPASSWORD": PASSWORDS[WRITER]},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not ballast.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, (out, err[-2000:])
    assert "committed" not in out
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        snapshots = publication_snapshots(con)
        assert sorted(snapshots) == [1, 2]  # publications does not name the half-written one
        (latest,) = con.execute(f"SELECT max(snapshot_id) FROM ducklake_snapshots('{PUBLISHED}')").fetchone()
        assert latest == snapshots[2]  # no snapshot after the second publication's
        assert _equals_file(con, wh.published_db)  # the reader sees the previous publication exactly
        assert _equals_file(con, first, f" AT (VERSION => {snapshots[1]})")
    # the killed transaction had written files (every mart's before the large one): DuckLake never lists them
    orphans = _files(data_path) - listed
    assert len(orphans) > 20 and all(f.suffix == ".parquet" for f in orphans)

    # the same publication again, as a rerun would: it completes and equals its file
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    kept = publish_to_lake(lake, third, 3, datetime.now(), "2024-06", None, "run-again")
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        assert publication_snapshots(con) == {1: snapshots[1], 2: snapshots[2], 3: kept.snapshot_id}
        assert _equals_file(con, third)
        assert con.execute("SELECT run_id FROM published.publications WHERE version = 3").fetchall() == [
            ("run-again",)]

    # the maintenance leaves the orphans while they are younger than FILE_DELETE_DELAY (a writer's files
    # look the same until it commits) ...
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    files = _files(data_path)
    assert orphans < files
    published, working = maintain_lake(lake, 400)
    assert published.orphaned_files_removed == [] and working.orphaned_files_removed == []
    assert _files(data_path) == files
    # ... and removes exactly them once they are older (here: a delay of 0 instead of waiting three days)
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[WRITER])
    published, working = maintain_lake(lake, 400, file_delete_delay=timedelta(0))
    assert {Path(f) for f in published.orphaned_files_removed} == orphans
    assert published.files_removed == [] and working.orphaned_files_removed == []
    assert _files(data_path) == files - orphans
    # every publication readable before is readable after, every mart row for row
    with lake_as(READER, postgres, database, data_path, monkeypatch).reading() as con:
        assert publication_snapshots(con) == {1: snapshots[1], 2: snapshots[2], 3: kept.snapshot_id}
        assert _equals_file(con, third)
        assert _equals_file(con, third, f" AT (VERSION => {kept.snapshot_id})")
        assert _equals_file(con, wh.published_db, f" AT (VERSION => {snapshots[2]})")
        assert _equals_file(con, first, f" AT (VERSION => {snapshots[1]})")
