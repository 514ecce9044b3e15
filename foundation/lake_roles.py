"""The lake's two PostgreSQL roles: the pipeline writes, BI tools read the published marts only.

How DuckLake maps onto PostgreSQL's grants: a DuckLake catalog is some twenty tables
(ducklake_snapshot, ducklake_table, ducklake_data_file, ...) in one schema, and the tables' rows
are Parquet files under the data path. PostgreSQL can grant a schema, not a DuckLake table, so the
working and the published catalog live in schemas of their own (foundation/lake.py):

- the writer owns both schemas, so it creates DuckLake's catalog tables at its first ATTACH and
  writes to them;
- the reader may use the published schema and SELECT its tables, now and the ones the writer
  creates later (DuckLake adds tables as it goes, e.g. for inlined data): default privileges; it
  has no right on the working schema at all, and no write anywhere, so a write through DuckLake
  fails when it commits to the catalog;
- the Parquet files are not PostgreSQL's: the reader's read access to `<data path>/published/`
  (and none to `<data path>/lake/`, no write to either) is given on the filesystem or object store,
  where PostgreSQL cannot see it. DuckLake removes the Parquet file of a write PostgreSQL refused,
  but a reader who may write to the folder can still change the files without DuckLake.

Passwords are not handled here: the roles are made without one, and the administrator sets them
with psql's `\\password` (which sends only a hash), so no password passes through this code, its
SQL or its errors.
"""

from __future__ import annotations

import re

import duckdb

from foundation.lake import METADATA_SCHEMAS, PUBLISHED, WORKING
from foundation.sql import sql_literal

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
ADMIN_ALIAS = "lake_admin"
DEFAULT_WRITER, DEFAULT_READER = "jeugdzorg_writer", "jeugdzorg_reader"


def role_statements(database: str, writer: str, reader: str) -> list[str]:
    """The SQL, in order, for a database the administrator created; running it again changes nothing."""
    for name in (database, writer, reader):
        if not _ROLE_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a plain lower-case PostgreSQL name")
    working, published = METADATA_SCHEMAS[WORKING], METADATA_SCHEMAS[PUBLISHED]
    create = [f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
              f"CREATE ROLE {role} LOGIN; END IF; END $$" for role in (writer, reader)]
    return [
        *create,
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {writer}, {reader}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"CREATE SCHEMA IF NOT EXISTS {working} AUTHORIZATION {writer}",
        f"CREATE SCHEMA IF NOT EXISTS {published} AUTHORIZATION {writer}",
        f"REVOKE ALL ON SCHEMA {working} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {published} TO {reader}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {published} TO {reader}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {writer} IN SCHEMA {published} GRANT SELECT ON TABLES TO {reader}",
    ]


def set_up_roles(con: duckdb.DuckDBPyConnection, admin_libpq: str, writer: str, reader: str) -> None:
    """Create the writer and the reader and grant them the lake's schemas, as the administrator
    (`admin_libpq` names the lake's database, without a password: PGPASSWORD or a DuckDB secret on
    `con` gives it). `con` needs the postgres extension (foundation.extensions.connect_offline)."""
    con.execute(f"ATTACH {sql_literal(admin_libpq)} AS {ADMIN_ALIAS} (TYPE postgres)")
    try:
        (database,) = con.execute(
            f"SELECT * FROM postgres_query('{ADMIN_ALIAS}', 'SELECT current_database()')").fetchone()
        for statement in role_statements(database, writer, reader):
            con.execute(f"CALL postgres_execute('{ADMIN_ALIAS}', ?)", [statement])
    finally:
        con.execute(f"DETACH {ADMIN_ALIAS}")
