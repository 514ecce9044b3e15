"""What makes a night rebuild (foundation/fingerprint.py): any change to the files, the reference data or
the settings that shape the file; and what does not: nothing, or a setting that only says where and
how fast. The whole nights are in tests/test_incremental.py; this is each reason on its own."""

from __future__ import annotations

import os

from assets.ingest.declarations import ingest_declarations
from assets.ingest.reference import load_reference
from foundation.fingerprint import fingerprint, record_publication, unchanged_since_publication
from foundation.warehouse import Warehouse
from tests.conftest import BASE_LINE, write_declarations


def _ingest(wh: Warehouse) -> None:
    with wh.connect() as con:
        load_reference(con, wh.raw_dir)
        ingest_declarations(con, wh.raw_dir, wh.max_file_bytes, wh.pseudonymiser())


def _print(wh: Warehouse) -> str:
    with wh.connect() as con:
        return fingerprint(con, wh)


def test_the_same_inputs_give_the_same_fingerprint_and_each_change_another(warehouse, data_dir):
    write_declarations(data_dir / "raw" / "declarations" / "a.csv", [BASE_LINE])
    _ingest(warehouse)
    first = _print(warehouse)
    _ingest(warehouse)  # nothing new: nothing registered
    assert _print(warehouse) == first
    assert _print(warehouse.model_copy(update={"threads": 1, "memory_limit": "1GB"})) == first
    assert _print(warehouse.model_copy(update={"min_cell_size": 5})) != first
    assert _print(warehouse.model_copy(update={"youth_care_index_pct": 3.0})) != first

    write_declarations(data_dir / "raw" / "declarations" / "b.csv", [{**BASE_LINE, "referentienummer": "R2"}])
    _ingest(warehouse)
    second = _print(warehouse)
    assert second != first

    with warehouse.connect() as con:
        con.execute("UPDATE ref.municipalities SET youth_care_region = 'elders' WHERE municipality_code = '0141'")
    assert _print(warehouse) not in (first, second)


def test_unchanged_only_against_the_last_publish_and_while_its_file_is_there(warehouse, data_dir):
    write_declarations(data_dir / "raw" / "declarations" / "a.csv", [BASE_LINE])
    _ingest(warehouse)
    with warehouse.connect() as con:
        assert unchanged_since_publication(con, warehouse) is None  # never published
        record_publication(con, warehouse, "run-1", complete=True)
        assert unchanged_since_publication(con, warehouse) is None  # the file is not there
    warehouse.published_db.write_bytes(b"")
    with warehouse.connect() as con:
        assert unchanged_since_publication(con, warehouse)[1] == "run-1"
    # a file that arrives later, even one that is only re-sent, is news
    resent = data_dir / "raw" / "declarations" / "a_again.csv"
    resent.write_bytes((data_dir / "raw" / "declarations" / "a.csv").read_bytes())
    _ingest(warehouse)
    with warehouse.connect() as con:
        assert unchanged_since_publication(con, warehouse) is None
        record_publication(con, warehouse, "run-2", complete=True)
        assert unchanged_since_publication(con, warehouse)[1] == "run-2"
        # a run that rebuilt only part of the marts cannot vouch for the file: the next night rebuilds
        record_publication(con, warehouse, "run-3", complete=False)
        assert unchanged_since_publication(con, warehouse) is None


def test_an_unchanged_file_is_not_hashed_again_but_a_rewritten_one_is(warehouse, data_dir):
    path = write_declarations(data_dir / "raw" / "declarations" / "a.csv", [BASE_LINE])
    _ingest(warehouse)
    stat = path.stat()
    # the same name, size and time: taken as known, even though its bytes changed (the trade-off)
    path.write_bytes(path.read_bytes().replace(b"R1", b"R9"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _ingest(warehouse)
    with warehouse.connect() as con:
        assert con.execute("SELECT count(*) FROM registry.files WHERE kind = 'declarations'").fetchone()[0] == 1
    # touched: hashed, and its new content is a new file
    os.utime(path)
    _ingest(warehouse)
    with warehouse.connect() as con:
        assert con.execute("SELECT count(*) FROM registry.files WHERE kind = 'declarations'").fetchone()[0] == 2
