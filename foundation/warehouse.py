"""The DuckDB working warehouse as a Dagster resource.

The pipeline writes one private working file; BI tools read only the published file that
`assets/publish.py` swaps in. Keeping both paths here means no asset builds a path itself.
"""

from __future__ import annotations

import importlib.metadata
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from foundation.lake import Lake
from foundation.macros import install_macros
from foundation.pseudonyms import Pseudonymiser
from foundation.schema import create_schema
from foundation.settings import (
    LAKE_RETENTION_DAYS,
    PROTECTION_COUNT_SHARE_OF_K,
    PROTECTION_MONEY_PCT,
    PUBLICATIONS_KEPT,
    XLSX_MAX_ROWS,
    XLSX_MAX_UNPACKED_MB,
    lake_pair,
    load_settings,
)

WORKING_DB_NAME = "pipeline.duckdb"
PUBLISHED_DB_NAME = "jeugdzorg.duckdb"
LOCK_NOTE_SECONDS = 60  # how often a run that waits for the working file says so


class Warehouse(dg.ConfigurableResource):
    """Paths, secrets and limits every asset needs; built once from the Settings."""

    data_dir: str
    min_cell_size: int = 10
    # Set from dg.EnvVar("JEUGDZORG_PSEUDONYM_KEY") (warehouse_from_settings), so the UI shows the
    # variable's name, never the secret; None: the built-in demo key (load_settings warns).
    pseudonym_key: str | None = None
    # DuckDB spills beyond this, in the refresh process and in dbt's. Below 2 GB because the refresh
    # process also holds Dagster, Arrow batches and the pseudonyms, and stays resident while dbt runs
    # beside it; both must fit in 3 GB together (measured in docs/benchmark.md, "Scale and the nightly cost").
    memory_limit: str = "1536MB"
    threads: int = 2
    max_file_bytes: int = 4 * 1024**3
    lock_wait_seconds: int = 1800
    # thresholds of the WARN checks (checks/operational.py)
    quarantine_rate_warn: float = 0.05
    months_behind_warn: int = 2
    data_age_warn_months: int = 3
    spend_jump_factor: float = 2.0
    missing_survey_warn: float = 0.5
    # the yearly tariff indexation the municipality allows (JEUGDZORG_YOUTH_CARE_INDEX_PCT; the WARN check
    # tariff_rise_within_index, declared in the spend-growth mart's YAML)
    youth_care_index_pct: float = 5.0
    # disclosure control's protection intervals (assets/disclosure/intervals.py, docs/disclosure_control.md)
    protection_money_pct: float = PROTECTION_MONEY_PCT
    protection_count_share_of_k: float = PROTECTION_COUNT_SHARE_OF_K
    # an outcome workbook's real unpacked size and rows (assets/ingest/xlsx_source.py)
    xlsx_max_unpacked_mb: int = XLSX_MAX_UNPACKED_MB
    xlsx_max_rows: int = XLSX_MAX_ROWS
    # how many published files the publish step keeps in publications/ (JEUGDZORG_PUBLICATIONS_KEPT)
    publications_kept: int = PUBLICATIONS_KEPT
    # platform mode (JEUGDZORG_LAKE_CATALOG, JEUGDZORG_LAKE_DATA_PATH; docs/platform.md): both set, the
    # publish step also keeps each publication in the lake (foundation/lake_publish.py); the catalog
    # string holds no password (PGPASSWORD or a DuckDB secret gives it)
    lake_catalog: str | None = None
    lake_data_path: str | None = None
    # how long an earlier publication stays readable in the lake after it was superseded
    # (JEUGDZORG_LAKE_RETENTION_DAYS; foundation/lake_maintenance.py)
    lake_retention_days: int = LAKE_RETENTION_DAYS
    _prepared: bool = PrivateAttr(default=False)

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

    @property
    def publications_dir(self) -> Path:
        """The history in file mode: a copy of each of the last `publications_kept` published files,
        jeugdzorg_v<version>.duckdb (assets/publish.py, docs/publications.md)."""
        return self.warehouse_dir / "publications"

    @property
    def candidate_db(self) -> Path:
        """The next BI file while disclosure control and its check run on it; a dot file, so nobody
        points a BI tool at it by mistake."""
        return self.warehouse_dir / f".candidate.{PUBLISHED_DB_NAME}"

    def lake(self) -> Lake | None:
        """The lake in platform mode, None in file mode (neither lake setting)."""
        catalog, data_path = lake_pair(self.lake_catalog, self.lake_data_path)
        return None if catalog is None else Lake(catalog=catalog, data_path=data_path)

    def secret_key(self) -> str:
        return self.pseudonym_key or load_settings().pseudonym_key

    def pseudonymiser(self) -> Pseudonymiser:
        """One per ingestion run: it remembers the run's BSNs in memory only, and is dropped after."""
        return Pseudonymiser(self.secret_key())

    def _open(self) -> duckdb.DuckDBPyConnection:
        """DuckDB allows one writer: if another process holds the file (`make run` during a UI run,
        a BI tool opened on the working file by mistake), wait, and say so in the run's log every
        minute with the holder DuckDB names, so a run that waits never looks dead."""
        log = dg.get_dagster_logger()  # inside a run: the run's log in the UI
        started = time.monotonic()
        next_note = started
        while True:
            try:
                con = duckdb.connect(str(self.working_db))
                if next_note > started:
                    log.info(f"got the working file after waiting {time.monotonic() - started:.0f} s")
                return con
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise
                waited = time.monotonic() - started
                if waited > self.lock_wait_seconds:
                    raise duckdb.IOException(f"gave up after waiting {waited:.0f} s for the working file "
                                             f"{self.working_db}: {exc}") from exc
                if time.monotonic() >= next_note:
                    holder = re.search(r"Conflicting lock is held in (.*?)(?: by user|\.?$)", str(exc))
                    log.warning(f"waiting for the working file {self.working_db}, held by another process "
                                f"({holder.group(1) if holder else 'unknown'}); waited {waited:.0f} s of at most "
                                f"{self.lock_wait_seconds} s")
                    next_note = time.monotonic() + LOCK_NOTE_SECONDS
                time.sleep(1)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the working file (the only writer). The schema is set up by the first connection
        of a run (one resource instance per run); the SQL macros are per connection."""
        self.warehouse_dir.mkdir(parents=True, exist_ok=True)
        con = self._open()
        try:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
            con.execute(f"SET threads = {int(self.threads)}")
            con.execute("SET preserve_insertion_order = true")
            con.execute("SET enable_progress_bar = false")
            if not self._prepared:
                create_schema(con)
                self._prepared = True
            install_macros(con)
            yield con
        finally:
            con.close()

    def dbt_environment(self) -> dict[str, str]:
        """What the dbt profile (assets/dbt/profiles.yml) needs to open this working file with the
        same limits as every other connection of the pipeline, the version for `about`, and k for the min_cell_size var
        (assets/dbt/macros/small_cells.sql). k travels as an environment variable rather than
        --vars: changed vars make dbt re-parse the whole project at every call. The working file is
        HOME/WORKING_DB_NAME (the profile's path is ~/pipeline.duckdb, the same text for every
        warehouse, so that dbt's partial parse survives a new warehouse)."""
        return {"HOME": str(self.warehouse_dir), "JEUGDZORG_DBT_MEMORY_LIMIT": self.memory_limit,
                "JEUGDZORG_DBT_THREADS": str(int(self.threads)), "JEUGDZORG_MIN_CELL_SIZE": str(self.min_cell_size),
                "JEUGDZORG_VERSION": importlib.metadata.version("jeugdzorg-monitor")}


def warehouse_from_settings() -> Warehouse:
    settings = load_settings()
    key = None if settings.using_demo_key else dg.EnvVar("JEUGDZORG_PSEUDONYM_KEY")
    return Warehouse(data_dir=str(settings.data_dir), min_cell_size=settings.min_cell_size, pseudonym_key=key,
                     youth_care_index_pct=settings.youth_care_index_pct,
                     protection_money_pct=settings.protection_money_pct,
                     protection_count_share_of_k=settings.protection_count_share_of_k,
                     xlsx_max_unpacked_mb=settings.xlsx_max_unpacked_mb, xlsx_max_rows=settings.xlsx_max_rows,
                     publications_kept=settings.publications_kept, lake_catalog=settings.lake_catalog,
                     lake_data_path=settings.lake_data_path, lake_retention_days=settings.lake_retention_days)
