"""Every publication kept in the lake as one DuckLake snapshot (issue 40; docs/platform.md,
"Publications in the lake"), on the session's throwaway PostgreSQL: the fixture of
tests/test_publications.py published twice in platform mode, a late credit between them.

v1: a.csv; 0141 spent 1,100 in 2024 for three clients.
v2: + b.csv, P2's credit of c2's February and c3 at 100 in April: 0141's 2024 is 900 for two.

That the reader cannot write to the published catalog, nor read the working one, is
tests/test_lake.py's (test_the_reader_cannot_write, test_the_reader_cannot_read_raw_or_staging).
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from foundation.lake import PUBLISHED, Lake
from foundation.lake_publish import SOURCE, keep_in_lake, publication_snapshots
from foundation.settings import SettingsError
from foundation.warehouse import Warehouse, warehouse_from_settings
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY
from tests.test_cost_marts import P2, _line, write_fixture
from tests.test_lake import PASSWORDS, READER, WRITER, lake_as, lake_database
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
