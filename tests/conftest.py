"""Shared fixtures: a temporary data directory and a Warehouse resource pointing at it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from demo_data.writers import DECLARATION_COLUMNS, SURVEY_COLUMNS
from foundation.warehouse import Warehouse
from tests.postgres import Postgres, server_binaries, throwaway_postgres

TEST_KEY = "test-pseudonym-key"


def make_drop_folders(data: Path) -> None:
    """The raw drop folders a data directory starts with (`make demo` and a municipality's own)."""
    for sub in ("declarations", "surveys", "reference"):
        (data / "raw" / sub).mkdir(parents=True)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    make_drop_folders(tmp_path)
    return tmp_path


@pytest.fixture
def warehouse(data_dir: Path) -> Warehouse:
    return Warehouse(data_dir=str(data_dir), pseudonym_key=TEST_KEY, min_cell_size=1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One throwaway PostgreSQL server for the session (tests/postgres.py). CI must have it: .ci/run
    installs Debian's postgresql when the server binaries are missing, so there it fails, never skips."""
    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            raise RuntimeError("PostgreSQL's initdb is missing: .ci/run installs Debian's postgresql before the tests")
        pytest.skip("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
    with throwaway_postgres(binaries) as server:
        yield server


# A valid declaration line; tests change one field at a time.
BASE_LINE = {
    "declaratienummer": "D1", "aanbieder_agb": "12345678", "gemeentecode": "0141", "bsn": "999900006",
    "referentienummer": "R1", "vorig_referentienummer": "", "toewijzingnummer": "1001", "productcategorie": "45",
    "productcode": "45A01", "product_begindatum": "2024-03-01", "product_einddatum": "2024-03-31",
    "geleverd_volume": "4", "eenheid": "04", "producttarief": "1250", "ingediend_bedrag": "5000",
    "debet_credit": "D",
}


def write_declarations(path: Path, lines: list[dict], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(DECLARATION_COLUMNS), delimiter=delimiter)
        writer.writeheader()
        for line in lines:
            writer.writerow({**BASE_LINE, **line})
    return path


BASE_SURVEY = {
    "response_id": "A1", "aanbieder_agb": "12345678", "gemeentecode": "0141", "bsn": "999900006",
    "toewijzingnummer": "1001", "productcategorie": "45", "verwijzer": "02", "startdatum": "2024-01-10",
    "einddatum": "2024-06-30", "reden_beeindiging": "31", "informant": "ouder", "invuldatum": "2024-07-05",
    "tevredenheid": "8", "zonder_hulp_verder": "04", "instrument": "", "score_begin": "", "score_eind": "",
}


def write_surveys(path: Path, rows: list[dict]) -> Path:
    """Outcome records: BASE_SURVEY with the given changes, one response id per row."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SURVEY_COLUMNS))
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({**BASE_SURVEY, "response_id": f"A{i}", **row})
    return path


def hold_working_file(path: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds the DuckDB file open for writing, as a running refresh would."""
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep({seconds})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def table_rows(table: dg.TableMetadataValue) -> list[list[str]]:
    """The rows of a check's table (checks.metadata.examples), cell by cell, as the UI shows them."""
    return [[record.data[column.name] for column in table.schema.columns] for record in table.records]
