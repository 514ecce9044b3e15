"""Ingesting the municipality's own iJw messages (JW301 allocations, JW305 starts, JW307 stops),
from the iJw 3.2 example messages (tests/fixtures/JW30x.xml): client Tom de Wit, born
2010-02-14, BSN 999900006, two products on allocations 300201 and 300202."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.ingest.messages import ALLOCATIONS, CARE_STARTS, CARE_STOPS, MessageKind, ingest_messages
from assets.ingest.reference import load_reference
from tests.conftest import write_declarations

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = {"allocations": "JW301.xml", "care_starts": "JW305.xml", "care_stops": "JW307.xml"}


def drop(data_dir: Path, kind: MessageKind, name: str, text: str | None = None) -> Path:
    folder = data_dir / "raw" / kind.kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text if text is not None else (FIXTURES / EXAMPLE[kind.kind]).read_text())
    return path


def ingest(warehouse, kind: MessageKind):
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
        summary = ingest_messages(con, kind, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        rows = con.execute(f"SELECT f.source_file, r.* EXCLUDE (file_id, ingested_at) FROM {kind.target} AS r "
                           "JOIN registry.files AS f USING (file_id) ORDER BY r.file_id, r.line_no").df()
        files = con.execute("SELECT source_file, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate, "
                            "message FROM registry.files WHERE kind = ? ORDER BY file_id", [kind.kind]).fetchall()
    return summary, rows, files


def test_an_allocation_message_becomes_one_row_per_allocated_product(warehouse, data_dir):
    drop(data_dir, ALLOCATIONS, "a.xml")
    summary, rows, files = ingest(warehouse, ALLOCATIONS)
    assert files == [("allocations/a.xml", "loaded", 2, 2, 0, 0, None)]
    first = rows.iloc[0]
    assert (first.municipality_code, first.provider_agb, first.allocation_number, first.product_code) == (
        "0384", "42420001", "300201", "55A11")
    assert (str(first.allocation_start.date()), str(first.allocation_end.date()), first.volume, first.unit,
            first.frequency) == ("2026-04-01", "2026-07-14", 2, "04", "2")
    assert (first.age_at_start, first.sex, first.message_id) == (16, "1", "123456789012")
    assert (summary.rows_read, summary.rows_loaded) == (2, 2)


def test_starts_and_stops_name_the_municipality_that_receives_them(warehouse, data_dir):
    drop(data_dir, CARE_STARTS, "s.xml")
    drop(data_dir, CARE_STOPS, "e.xml")
    _, starts, _ = ingest(warehouse, CARE_STARTS)
    _, stops, _ = ingest(warehouse, CARE_STOPS)
    assert list(starts.municipality_code) == ["0363", "0363"] and list(starts.provider_agb) == ["65656055"] * 2
    assert [str(d.date()) for d in starts.start_date] == ["2026-04-03", "2026-04-15"]
    assert [str(d.date()) for d in stops.end_date] == ["2026-07-17", "2026-07-17"]
    assert list(stops.end_reason) == ["31", "31"] and list(stops.age_at_start) == [16, 16]


def test_the_client_gets_the_same_pseudonym_as_in_declarations(warehouse, data_dir):
    from assets.ingest.declarations import ingest_declarations

    write_declarations(data_dir / "raw/declarations/d.csv", [{"bsn": "999900006", "gemeentecode": "0363"}])
    drop(data_dir, CARE_STARTS, "s.xml")
    _, starts, _ = ingest(warehouse, CARE_STARTS)
    with warehouse.connect() as con:
        ingest_declarations(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        (declared,) = con.execute("SELECT client_pseudonym FROM raw.declaration_rows").fetchone()
    assert set(starts.client_pseudonym) == {declared}


def test_no_name_address_contact_or_birth_date_is_stored(warehouse, data_dir):
    drop(data_dir, ALLOCATIONS, "a.xml")
    ingest(warehouse, ALLOCATIONS)
    personal = ("Wit", "Tom", "2010-02-14", "1971-04-07", "Van Woustraat", "9999XX", "0201234567", "abc@def.com",
                "999900006", "Galen", "Zweeds")
    with warehouse.connect() as con:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                             "WHERE database_name = current_database() AND schema_name <> 'ref'").fetchall()
        for schema, table in tables:
            text = " ".join(str(v) for row in con.execute(f"SELECT * FROM {schema}.{table}").fetchall() for v in row)
            leaked = [p for p in personal if p in text]
            assert not leaked, f"{schema}.{table} holds {leaked}"


def test_quarantine_rules_and_exact_duplicates(warehouse, data_dir):
    text = (FIXTURES / "JW301.xml").read_text()
    drop(data_dir, ALLOCATIONS, "1_first.xml")
    # the same allocations sent again in a new message: duplicates of the first file's rows
    drop(data_dir, ALLOCATIONS, "2_resent.xml", text.replace("123456789012", "123456789013"))
    drop(data_dir, ALLOCATIONS, "3_bad_bsn.xml", text.replace("999900006", "999900007").replace("3002", "4002"))
    drop(data_dir, ALLOCATIONS, "4_unknown.xml", text.replace(">0384<", ">9999<").replace("3002", "5002"))
    drop(data_dir, ALLOCATIONS, "5_backwards.xml",
         text.replace("2026-07-14", "2026-03-14").replace("3002", "6002"))
    summary, rows, files = ingest(warehouse, ALLOCATIONS)
    assert [f[2:6] for f in files] == [(2, 2, 0, 0), (2, 0, 0, 2), (2, 0, 2, 0), (2, 0, 2, 0), (2, 1, 1, 0)]
    judged = rows[rows.status != "loaded"][["source_file", "line_no", "status", "rule_id", "message"]]
    assert list(judged.rule_id.fillna("dup")) == ["dup", "dup", "A01", "A01", "A02", "A02", "A03"]
    messages = list(judged.message)
    assert messages[0] == "exact duplicate of allocations/1_first.xml line 1"
    assert messages[-1] == "einddatum 2026-03-14 lies before ingangsdatum 2026-04-01"
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined, summary.rows_duplicate) == (10, 3, 5, 2)


@pytest.mark.parametrize("content, reason", [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
    ("\x00\x01binary garbage\xff", "invalid JW305"),
    ("<jw305:Bericht xmlns:jw305='http://www.istandaarden.nl/ijw/3_2/jw305/schema'/>", "invalid JW305"),
])
def test_hostile_or_broken_files_are_rejected_and_the_rest_loads(warehouse, data_dir, content, reason):
    drop(data_dir, CARE_STARTS, "bad.xml", content)
    drop(data_dir, CARE_STARTS, "good.xml")
    _, rows, files = ingest(warehouse, CARE_STARTS)
    assert files[0][:3] == ("care_starts/bad.xml", "rejected", 0) and reason in files[0][6]
    assert files[1][:4] == ("care_starts/good.xml", "loaded", 2, 2)
    assert "root" not in " ".join(str(v) for v in rows.to_numpy().ravel())
