"""The DuckDB working warehouse as a Dagster resource.

The pipeline writes one private working file; BI tools read only the published file that
`assets/publish.py` swaps in. Keeping both paths here means no asset builds a path itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest.declarations import RAW_DDL as DECLARATIONS_DDL
from assets.ingest.declarations import TARGET as DECLARATIONS_TARGET
from assets.ingest.files import REGISTRY_DDL
from assets.ingest.macros import install_macros
from assets.ingest.pseudonyms import HEX_CHARS, Pseudonymiser
from assets.ingest.surveys import RAW_DDL as SURVEYS_DDL
from pipelines.settings import load_settings

log = logging.getLogger(__name__)
WORKING_DB_NAME = "pipeline.duckdb"
PUBLISHED_DB_NAME = "jeugdzorg.duckdb"
SCHEMAS = ("registry", "raw", "ref", "staging", "quarantine", "marts")
# created at every connection, so any model can read them before the first file ever arrives
TABLES_DDL = (REGISTRY_DDL, DECLARATIONS_DDL, SURVEYS_DDL)
UPGRADES_DDL = "CREATE TABLE IF NOT EXISTS registry.upgrades (step VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
CUT_PSEUDONYMS = "pseudonyms cut to 128 bits"


class Warehouse(dg.ConfigurableResource):
    """Paths, secrets and limits every asset needs; built once from the Settings."""

    data_dir: str
    min_cell_size: int = 10
    # None: take the key from the environment at run time, so the secret never shows up in
    # the Dagster UI's resource configuration.
    pseudonym_key: str | None = None
    memory_limit: str = "2GB"  # DuckDB spills beyond this; keeps the whole process under ~3 GB
    threads: int = 2
    max_file_bytes: int = 4 * 1024**3
    lock_wait_seconds: int = 1800
    # thresholds of the WARN checks (checks/operational.py)
    quarantine_rate_warn: float = 0.05
    months_behind_warn: int = 2
    spend_jump_factor: float = 2.0
    missing_survey_warn: float = 0.5

    @property
    def raw_dir(self) -> Path:
        return Path(self.data_dir) / "raw"

    @property
    def warehouse_dir(self) -> Path:
        return Path(self.data_dir) / "warehouse"

    @property
    def working_db(self) -> Path:
        return self.warehouse_dir / WORKING_DB_NAME

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / PUBLISHED_DB_NAME

    def secret_key(self) -> str:
        return self.pseudonym_key or load_settings().pseudonym_key

    def pseudonymiser(self) -> Pseudonymiser:
        """One per ingestion run: it remembers the run's BSNs in memory only, and is dropped after."""
        return Pseudonymiser(self.secret_key())

    def _open(self) -> duckdb.DuckDBPyConnection:
        """DuckDB allows one writer: if another run holds the file (`make run` during a UI run), wait."""
        deadline = time.monotonic() + self.lock_wait_seconds
        while True:
            try:
                return duckdb.connect(str(self.working_db))
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                log.info("working file %s is in use by another run; waiting", self.working_db)
                time.sleep(2)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the working file (the only writer), with the schemas in place."""
        self.warehouse_dir.mkdir(parents=True, exist_ok=True)
        con = self._open()
        try:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
            con.execute(f"SET threads = {int(self.threads)}")
            con.execute("SET preserve_insertion_order = true")
            con.execute("SET enable_progress_bar = false")
            for schema in SCHEMAS:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            install_macros(con)
            for ddl in TABLES_DDL:
                con.execute(ddl)
            _upgrade(con)
            yield con
        finally:
            con.close()


def _upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a working file written by an earlier version up to date.

    staging.declaration_lines was a table before it became a view over the raw layer; the old
    table goes, and the staging asset creates the view in its place. Pseudonyms were the full
    64 hex characters of the HMAC before they were cut to its first 128 bits: cutting the old
    ones the same way keeps every client's rows together across the upgrade. That step is
    recorded once done, because finding that there is nothing to cut means reading every
    pseudonym, at every connection.
    """
    old = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                      "AND schema_name = 'staging' AND table_name = 'declaration_lines'").fetchone()[0]
    if old:
        con.execute("DROP TABLE staging.declaration_lines")
    con.execute(UPGRADES_DDL)
    if con.execute("SELECT count(*) FROM registry.upgrades WHERE step = ?", [CUT_PSEUDONYMS]).fetchone()[0]:
        return
    con.execute("BEGIN")
    for table in (DECLARATIONS_TARGET, "raw.survey_rows"):
        con.execute(f"UPDATE {table} SET client_pseudonym = left(client_pseudonym, {HEX_CHARS}) "
                    f"WHERE strlen(client_pseudonym) > {HEX_CHARS}")
    con.execute("INSERT INTO registry.upgrades VALUES (?, current_timestamp)", [CUT_PSEUDONYMS])
    con.execute("COMMIT")


def warehouse_from_settings() -> Warehouse:
    settings = load_settings()
    return Warehouse(data_dir=str(settings.data_dir), min_cell_size=settings.min_cell_size)
