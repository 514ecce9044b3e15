"""The lake's foundation (issue 40, first slice; docs/platform.md) on a real PostgreSQL: DuckLake
from the Python packages, the writer and the reader and what each is refused, time travel,
region partitions and one writer per process."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from foundation.extensions import connect_offline, extension_directory
from foundation.lake import METADATA_SCHEMAS, PUBLISHED, WORKING, Lake, partition_by_region
from foundation.lake_roles import DEFAULT_READER, DEFAULT_WRITER, set_up_roles
from tests.postgres import SUPERUSER, Postgres

WRITER, READER = DEFAULT_WRITER, DEFAULT_READER
# the roles' passwords on the throwaway server only; the lake reads them from PGPASSWORD
PASSWORDS = {WRITER: "writer-pw-test-only", READER: "reader-pw-test-only"}
_databases = itertools.count()
REPO = Path(__file__).resolve().parent.parent


def admin(postgres: Postgres, database: str) -> duckdb.DuckDBPyConnection:
    """The superuser on `database`, attached as `pg`, its password in a DuckDB secret."""
    con = connect_offline()
    con.execute("CREATE TEMPORARY SECRET (TYPE postgres, HOST ?, PORT ?, USER ?, PASSWORD ?)",
                [postgres.host, postgres.port, SUPERUSER, postgres.password])
    con.execute(f"ATTACH '{postgres.libpq(database)}' AS pg (TYPE postgres)")
    return con


@pytest.fixture
def database(postgres: Postgres) -> str:
    """A fresh lake database with the writer and the reader set up as foundation/lake_roles.py does."""
    return lake_database(postgres)


def lake_database(postgres: Postgres) -> str:
    """A fresh lake database with the writer and the reader set up as foundation/lake_roles.py does
    (the `database` fixture; a module-scoped fixture of another test file calls it directly)."""
    name = f"lake_{next(_databases)}"
    postgres.create_database(name)
    con = admin(postgres, name)
    set_up_roles(con, postgres.libpq(name), WRITER, READER)
    for role, password in PASSWORDS.items():  # what the administrator does with psql's \password
        con.execute("CALL postgres_execute('pg', ?)", [f"ALTER ROLE {role} PASSWORD '{password}'"])
    con.close()
    return name


def lake_as(role: str, postgres: Postgres, database: str, data_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Lake:
    monkeypatch.setenv("PGPASSWORD", PASSWORDS[role])
    return Lake(catalog="postgres:" + postgres.libpq(database, role), data_path=str(data_path))


@pytest.fixture
def writer(postgres, database, tmp_path, monkeypatch) -> Iterator[duckdb.DuckDBPyConnection]:
    """The pipeline's connection: both catalogs, with a raw table and a published mart in them."""
    with lake_as(WRITER, postgres, database, tmp_path, monkeypatch).writing() as con:
        con.execute(f"CREATE SCHEMA {WORKING}.raw")
        con.execute(f"CREATE TABLE {WORKING}.raw.declaration_rows AS SELECT 'D1' AS declaratienummer, 5000 AS amount")
        con.execute(f"CREATE SCHEMA {PUBLISHED}.marts")
        con.execute(f"CREATE TABLE {PUBLISHED}.marts.cost_by_municipality_year AS "
                    "SELECT * FROM (VALUES ('0141', 2024, 1250.0), ('0153', 2024, 980.0)) t(gemeentecode, jaar, spend)")
        yield con


def test_extensions_come_from_the_packages_and_nothing_is_downloaded():
    con = connect_offline()
    assert (extension_directory() / f"v{duckdb.__version__}").is_dir()  # the packages' build matches the pin
    loaded = dict(con.execute("SELECT extension_name, install_path FROM duckdb_extensions() WHERE loaded "
                              "AND extension_name IN ('ducklake', 'postgres_scanner')").fetchall())
    assert sorted(loaded) == ["ducklake", "postgres_scanner"]
    assert all(Path(path).is_relative_to(extension_directory()) for path in loaded.values())
    assert con.execute("SELECT current_setting('autoinstall_known_extensions'), "
                       "current_setting('autoload_known_extensions')").fetchone() == (False, False)
    with pytest.raises(duckdb.IOException, match=r"spatial\.duckdb_extension\" not found"):
        con.execute("LOAD spatial")  # not shipped: refused locally, not fetched


def test_the_reader_reads_the_published_marts(postgres, database, tmp_path, monkeypatch, writer):
    writer.close()
    with lake_as(READER, postgres, database, tmp_path, monkeypatch).reading() as con:
        assert con.execute(f"SELECT gemeentecode, spend FROM {PUBLISHED}.marts.cost_by_municipality_year "
                           "ORDER BY 1").fetchall() == [("0141", 1250.0), ("0153", 980.0)]


def test_the_reader_cannot_write(postgres, database, tmp_path, monkeypatch, writer):
    writer.close()
    reader = lake_as(READER, postgres, database, tmp_path, monkeypatch)
    with reader.reading() as con, pytest.raises(duckdb.InvalidInputException, match="read-only mode"):
        con.execute(f"INSERT INTO {PUBLISHED}.marts.cost_by_municipality_year VALUES ('0141', 2025, 1.0)")
    # attached for writing all the same (a BI tool's own ATTACH): PostgreSQL refuses the commit, and DuckLake
    # removes the Parquet file it had written (only the filesystem's rights keep a reader from writing files)
    files_before = sorted((tmp_path / PUBLISHED).rglob("*.parquet"))
    con = connect_offline()
    reader.attach(con, PUBLISHED)
    with pytest.raises(duckdb.TransactionException, match="permission denied for table ducklake_"):
        con.execute(f"INSERT INTO {PUBLISHED}.marts.cost_by_municipality_year VALUES ('0141', 2025, 1.0)")
    con.close()
    assert sorted((tmp_path / PUBLISHED).rglob("*.parquet")) == files_before
    with reader.reading() as con:
        assert con.execute(f"SELECT count(*) FROM {PUBLISHED}.marts.cost_by_municipality_year").fetchone() == (2,)


def test_the_reader_cannot_read_raw_or_staging(postgres, database, tmp_path, monkeypatch, writer):
    writer.close()
    reader = lake_as(READER, postgres, database, tmp_path, monkeypatch)
    with reader.reading() as con, pytest.raises(duckdb.CatalogException, match="declaration_rows does not exist"):
        con.execute(f"SELECT * FROM {PUBLISHED}.raw.declaration_rows")  # the published catalog holds marts only
    con = connect_offline()
    with pytest.raises(duckdb.Error, match="Failed to load existing DuckLake"):
        reader.attach(con, WORKING, read_only=True)
    con.close()
    # why: PostgreSQL refuses the working catalog's schema to the reader outright
    con = connect_offline()
    con.execute(f"ATTACH '{postgres.libpq(database, READER)}' AS pg (TYPE postgres, READ_ONLY)")
    with pytest.raises(duckdb.Error, match=f"permission denied for schema {METADATA_SCHEMAS[WORKING]}"):
        con.execute("SELECT * FROM postgres_query('pg', "
                    f"'SELECT path FROM {METADATA_SCHEMAS[WORKING]}.ducklake_data_file')").fetchall()
    assert con.execute("SELECT count(*) FROM postgres_query('pg', "
                       f"'SELECT path FROM {METADATA_SCHEMAS[PUBLISHED]}.ducklake_data_file')").fetchone() == (1,)
    con.close()


def test_the_roles_sql_for_psql_sets_up_the_same_grants(postgres):
    name = f"lake_{next(_databases)}"
    postgres.create_database(name)
    sql = subprocess.run([sys.executable, "-m", "pipelines.lake_roles", "--database", name], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    psql = [str(postgres.binaries / "psql"), "-h", str(postgres.socket_dir), "-p", str(postgres.port),
            "-U", SUPERUSER, "-d", name, "-v", "ON_ERROR_STOP=1", "-q"]
    for _ in range(2):  # a second run changes nothing and fails nothing
        subprocess.run(psql, input=sql, capture_output=True, text=True, check=True)
    con = admin(postgres, name)
    rights = con.execute("SELECT * FROM postgres_query('pg', $$SELECT "
                         f"has_schema_privilege('{READER}', '{METADATA_SCHEMAS[PUBLISHED]}', 'USAGE') AS a, "
                         f"has_schema_privilege('{READER}', '{METADATA_SCHEMAS[WORKING]}', 'USAGE') AS b, "
                         f"has_schema_privilege('{READER}', '{METADATA_SCHEMAS[PUBLISHED]}', 'CREATE') AS c, "
                         f"has_schema_privilege('{WRITER}', '{METADATA_SCHEMAS[WORKING]}', 'CREATE') AS d, "
                         f"has_database_privilege('public', '{name}', 'CONNECT')$$)").fetchone()
    assert rights == (True, False, False, True, False)


def test_a_previous_version_is_read_with_time_travel(writer):
    def snapshot() -> int:
        return writer.execute(f"SELECT max(snapshot_id) FROM ducklake_snapshots('{PUBLISHED}')").fetchone()[0]

    table = f"{PUBLISHED}.marts.cost_by_municipality_year"
    before = snapshot()
    writer.execute(f"UPDATE {table} SET spend = spend + 100 WHERE gemeentecode = '0141'")
    writer.execute(f"INSERT INTO {table} VALUES ('0141', 2025, 1400.0)")
    assert snapshot() == before + 2  # two commits, one snapshot each
    assert writer.execute(f"SELECT jaar, spend FROM {table} AT (VERSION => {before}) WHERE gemeentecode = '0141' "
                          "ORDER BY jaar").fetchall() == [(2024, 1250.0)]
    assert writer.execute(f"SELECT jaar, spend FROM {table} AT (VERSION => {before + 1}) WHERE gemeentecode = '0141' "
                          "ORDER BY jaar").fetchall() == [(2024, 1350.0)]
    assert writer.execute(f"SELECT jaar, spend FROM {table} WHERE gemeentecode = '0141' ORDER BY jaar").fetchall() == [
        (2024, 1350.0), (2025, 1400.0)]


def test_region_tables_are_partitioned_by_region(writer, tmp_path):
    table = f"{PUBLISHED}.marts.spend_by_region"
    writer.execute(f"CREATE TABLE {table} (youth_care_region VARCHAR, jaar INTEGER, spend DOUBLE)")
    partition_by_region(writer, table)
    writer.execute(f"INSERT INTO {table} VALUES ('Twente', 2024, 10.0), ('Twente', 2025, 11.0), "
                   "('Flevoland', 2024, 20.0)")
    files = [Path(path) for (path,) in writer.execute(
        f"SELECT data_file FROM ducklake_list_files('{PUBLISHED}', 'spend_by_region', schema => 'marts')").fetchall()]
    assert sorted(path.parent.name for path in files) == ["youth_care_region=Flevoland", "youth_care_region=Twente"]
    assert all(path.is_relative_to(tmp_path / PUBLISHED) for path in files)
    with pytest.raises(ValueError, match="not a plain table"):
        partition_by_region(writer, "marts.t; DROP TABLE x")


def test_one_writer_per_process(postgres, database, tmp_path, monkeypatch):
    lake = lake_as(WRITER, postgres, database, tmp_path, monkeypatch)
    events: list[str] = []
    first_inside = threading.Event()

    def second_writer() -> None:
        first_inside.wait()
        events.append("second asks")
        with lake.writing():
            events.append("second in")

    thread = threading.Thread(target=second_writer)
    thread.start()
    with lake.writing() as con:
        first_inside.set()
        with pytest.raises(RuntimeError, match="already writes to the lake"), lake.writing():
            pass
        time.sleep(0.5)
        assert events == ["second asks"]  # and it waits
        events.append("first out")
        con.execute(f"CREATE TABLE {WORKING}.t AS SELECT 1 AS x")
    thread.join(timeout=60)
    assert events == ["second asks", "first out", "second in"]


def test_a_wrong_password_is_not_in_the_error(postgres, database, tmp_path, monkeypatch):
    lake = lake_as(WRITER, postgres, database, tmp_path, monkeypatch)
    monkeypatch.setenv("PGPASSWORD", "not-the-password-4711")
    with pytest.raises(duckdb.Error) as refused, lake.reading():
        pass
    assert "password authentication failed" in str(refused.value)
    assert "not-the-password-4711" not in str(refused.value)
