"""A working file written by an earlier version keeps working after an upgrade."""

import hashlib
import hmac

from assets.ingest.declarations import ingest_declarations
from assets.ingest.reference import load_reference
from assets.sql import model_sql
from assets.staging.assets import HERE
from pipelines.resources import CUT_PSEUDONYMS
from tests.conftest import BASE_LINE, TEST_KEY, write_declarations


def test_staging_table_from_before_the_view_is_replaced(warehouse):
    with warehouse.connect() as con:
        con.execute("CREATE TABLE staging.declaration_lines AS SELECT 1 AS old")
    with warehouse.connect() as con:
        con.execute(model_sql(HERE / "declaration_lines.sql"))
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
    with warehouse.connect() as con:
        ingest_declarations(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        pseudonyms = con.execute("SELECT list(DISTINCT client_pseudonym) FROM raw.declaration_rows").fetchone()[0]
    assert pseudonyms == [full[:32]]


def test_the_pseudonym_cut_runs_once_per_working_file(warehouse):
    """Once recorded, the cut is not looked for again: that would read every pseudonym at every connection."""
    with warehouse.connect() as con:
        first = con.execute("SELECT step, applied_at FROM registry.upgrades").fetchall()
    with warehouse.connect() as con:
        again = con.execute("SELECT step, applied_at FROM registry.upgrades").fetchall()
    assert [step for step, _ in first] == [CUT_PSEUDONYMS]
    assert again == first
