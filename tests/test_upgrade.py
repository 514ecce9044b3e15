"""A working file written by an earlier version keeps working after an upgrade, done once per run."""

import hashlib
import hmac
from unittest import mock

from assets.ingest.declarations import ingest_declarations
from assets.ingest.reference import load_reference
from assets.transform import run_dbt
from foundation import warehouse as warehouse_module
from foundation.schema import CUT_PSEUDONYMS
from foundation.warehouse import Warehouse
from tests.conftest import BASE_LINE, TEST_KEY, write_declarations


def next_run(warehouse: Warehouse) -> Warehouse:
    """The resource as the next run gets it: a new instance, so the schema is set up again."""
    return Warehouse(data_dir=warehouse.data_dir, pseudonym_key=TEST_KEY, min_cell_size=warehouse.min_cell_size)


def test_staging_table_from_before_the_view_is_replaced(warehouse):
    with warehouse.connect() as con:
        con.execute("CREATE TABLE staging.declaration_lines AS SELECT 1 AS old")
    upgraded = next_run(warehouse)
    run_dbt(upgraded, "run", "--select", "declaration_lines")
    with upgraded.connect() as con:
        kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'staging' "
                           "AND table_name = 'declaration_lines'").fetchone()[0]
    assert kind == "VIEW"


def test_full_length_pseudonyms_from_before_are_cut_to_128_bits(warehouse, data_dir):
    """A client loaded before the upgrade and again after it stays one client."""
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
        ingest_declarations(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        # as an earlier version wrote it: the full 64 hex characters of the HMAC, no upgrade recorded
        full = hmac.new(TEST_KEY.encode(), BASE_LINE["bsn"].encode(), hashlib.sha256).hexdigest()
        con.execute("UPDATE raw.declaration_rows SET client_pseudonym = ?", [full])
        con.execute("DROP TABLE registry.upgrades")
    write_declarations(data_dir / "raw/declarations/b.csv", [{"referentienummer": "R2"}])
    upgraded = next_run(warehouse)
    with upgraded.connect() as con:
        ingest_declarations(con, upgraded.raw_dir, upgraded.max_file_bytes, upgraded.pseudonymiser())
        pseudonyms = con.execute("SELECT list(DISTINCT client_pseudonym) FROM raw.declaration_rows").fetchone()[0]
    assert pseudonyms == [full[:32]]


def test_the_pseudonym_cut_runs_once_per_working_file(warehouse):
    """Once recorded, the cut is not looked for again: that would read every pseudonym at every run."""
    with warehouse.connect() as con:
        first = con.execute("SELECT step, applied_at FROM registry.upgrades").fetchall()
    with next_run(warehouse).connect() as con:
        again = con.execute("SELECT step, applied_at FROM registry.upgrades").fetchall()
    assert [step for step, _ in first] == [CUT_PSEUDONYMS]
    assert again == first


def test_schema_is_set_up_once_per_run_not_per_connection(warehouse):
    with mock.patch.object(warehouse_module, "create_schema", wraps=warehouse_module.create_schema) as setup:
        for _ in range(3):
            with warehouse.connect() as con:
                con.execute("SELECT count(*) FROM raw.declaration_rows").fetchone()
        assert setup.call_count == 1
        with next_run(warehouse).connect():
            pass
        assert setup.call_count == 2
