"""Declaration ingestion: each rule, each file variant, duplicates and the accounting identity."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assets.ingest import csv_source
from assets.ingest.declarations import ingest_declarations
from assets.ingest.reference import load_reference
from assets.transform import run_dbt
from tests.conftest import BASE_LINE, write_declarations

FIXTURES = Path(__file__).parent / "fixtures"


def ingest(warehouse):
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
        summary = ingest_declarations(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        rows = con.execute(
            "SELECT f.source_file, r.line_no, r.status, r.rule_id, r.message, r.municipality_code, r.provider_agb, "
            "r.amount_cents, r.period_start FROM raw.declaration_rows r JOIN registry.files f USING (file_id) "
            "ORDER BY r.file_id, r.line_no").fetchall()
        files = con.execute("SELECT source_file, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate, "
                            "message FROM registry.files WHERE kind = 'declarations' ORDER BY file_id").fetchall()
    return summary, rows, files


RULE_CASES = {
    "D01": {"product_begindatum": "31-02-2024"},
    "D02": {"bsn": "999900007"},
    "D03": {"aanbieder_agb": "1234567X"},
    "D04": {"gemeentecode": "9999"},
    "D05": {"productcategorie": "99"},
    "D06": {"eenheid": "77"},
    "D07": {"product_einddatum": "2024-04-02"},
    "D08": {"ingediend_bedrag": "5100"},
}


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_each_rule_quarantines_its_case(warehouse, data_dir, rule_id):
    write_declarations(data_dir / "raw/declarations/a.csv",
                       [{"referentienummer": "GOOD"}, {**RULE_CASES[rule_id], "referentienummer": "BAD"}])
    _, rows, files = ingest(warehouse)
    assert [(r[2], r[3]) for r in rows] == [("loaded", None), ("quarantined", rule_id)]
    assert rows[1][1] == 3  # CSV line of the bad row (header is line 1)
    assert files[0][2:6] == (2, 1, 1, 0)


def test_d01_message_names_the_field(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{"geleverd_volume": "vier", "toewijzingnummer": ""}])
    _, rows, _ = ingest(warehouse)
    assert rows[0][3] == "D01"
    assert "toewijzingnummer" in rows[0][4] and "geleverd_volume 'vier'" in rows[0][4]


@pytest.mark.parametrize("field", ["geleverd_volume", "ingediend_bedrag", "toewijzingnummer", "producttarief"])
def test_d01_decimals_are_not_whole_numbers(warehouse, data_dir, field):
    write_declarations(data_dir / "raw/declarations/a.csv", [{field: "4.5"}])
    _, rows, _ = ingest(warehouse)
    assert rows[0][3] == "D01" and field in rows[0][4]


@pytest.mark.parametrize("text", ["epoch", "infinity", "2024/03/01", "20240301", "2024-3-1", "01-03-24"])
def test_d01_only_the_contract_date_formats(warehouse, data_dir, text):
    # a plain cast would take 'epoch' or '2024/03/01', and strptime makes 1900-01-01 of 'epoch'
    write_declarations(data_dir / "raw/declarations/a.csv", [{"product_begindatum": text}])
    _, rows, _ = ingest(warehouse)
    assert rows[0][3] == "D01" and f"product_begindatum '{text}' is not a date" in rows[0][4]


def test_d07_begin_after_end(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv",
                       [{"product_begindatum": "2024-03-20", "product_einddatum": "2024-03-10"}])
    _, rows, _ = ingest(warehouse)
    assert rows[0][3] == "D07" and "begins after it ends" in rows[0][4]


def test_d08_skips_unit_83_and_missing_tariff(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [
        {"referentienummer": "A", "eenheid": "83", "ingediend_bedrag": "123456"},
        {"referentienummer": "B", "producttarief": "", "ingediend_bedrag": "777"},
    ])
    _, rows, _ = ingest(warehouse)
    assert [r[2] for r in rows] == ["loaded", "loaded"]


def test_d09_and_exact_duplicates(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{"referentienummer": "R1"}, {"referentienummer": "R1"}])
    write_declarations(data_dir / "raw/declarations/b.csv", [
        {"referentienummer": "R1", "declaratienummer": "D2"},  # resent in another declaration: same content
        {"referentienummer": "R1", "geleverd_volume": "5", "ingediend_bedrag": "6250"},  # other content
        {"referentienummer": "R1", "aanbieder_agb": "87654321"},  # other provider: its own reference space
    ])
    summary, rows, _ = ingest(warehouse)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("declarations/a.csv", "loaded", None), ("declarations/a.csv", "duplicate", None),
        ("declarations/b.csv", "duplicate", None), ("declarations/b.csv", "quarantined", "D09"),
        ("declarations/b.csv", "loaded", None)]
    assert "declarations/a.csv line 2" in rows[3][4]
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined, summary.rows_duplicate) == (5, 2, 1, 2)


def test_d09_against_an_earlier_run(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    ingest(warehouse)
    write_declarations(data_dir / "raw/declarations/b.csv", [{"ingediend_bedrag": "2500", "geleverd_volume": "2"}, {}])
    _, rows, _ = ingest(warehouse)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("declarations/a.csv", "loaded", None), ("declarations/b.csv", "quarantined", "D09"),
        ("declarations/b.csv", "duplicate", None)]


def test_credit_chain_nets_out(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{"referentienummer": "R1"}])
    write_declarations(data_dir / "raw/declarations/b.csv", [
        {"referentienummer": "C1", "vorig_referentienummer": "R1", "debet_credit": "C"},
        {"referentienummer": "K1", "geleverd_volume": "3", "ingediend_bedrag": "3750"},
    ])
    ingest(warehouse)
    run_dbt(warehouse, "run", "--select", "declaration_lines")
    with warehouse.connect() as con:
        total, months = con.execute("SELECT sum(amount_eur), list(DISTINCT service_month) "
                                    "FROM staging.declaration_lines").fetchone()
    assert str(total) == "37.50"
    assert [str(m) for m in months] == ["2024-03-01"]


def test_same_file_twice_changes_nothing(warehouse, data_dir):
    path = write_declarations(data_dir / "raw/declarations/a.csv", [{}, {"referentienummer": "R2"}])
    ingest(warehouse)
    shutil.copyfile(path, data_dir / "raw/declarations/a_again.csv")
    summary, rows, files = ingest(warehouse)
    assert summary.files_new == 0 and summary.files_already_loaded == 1
    assert len(rows) == 2
    assert files[1][:2] == ("declarations/a_again.csv", "already_loaded")
    assert "declarations/a.csv" in files[1][6]
    summary, rows2, files2 = ingest(warehouse)  # a third run: nothing at all
    assert (summary.files_new, summary.files_already_loaded, rows2, files2) == (0, 0, rows, files)


def test_semicolon_windows_1252_dutch_dates_and_lost_zeros(warehouse, data_dir):
    path = data_dir / "raw/declarations/w.csv"
    header = ";".join(c.upper() for c in BASE_LINE) + ";omschrijving\n"
    # 012345672 passes the elfproef; a spreadsheet turned it into 12345672
    row = dict(BASE_LINE, gemeentecode="141", bsn="12345672",
               product_begindatum="01-03-2024", product_einddatum="31-03-2024", eenheid="4")
    path.write_bytes((header + ";".join(row.values()) + ";Jeugdhulp – € per uur\n").encode("cp1252"))
    _, rows, files = ingest(warehouse)
    assert files[0][1] == "loaded"
    assert rows[0][2:4] == ("loaded", None)
    assert rows[0][5] == "0141" and str(rows[0][8]) == "2024-03-01"


def test_utf8_bom(warehouse, data_dir):
    path = data_dir / "raw/declarations/bom.csv"
    write_declarations(path, [{}], encoding="utf-8-sig")
    _, rows, _ = ingest(warehouse)
    assert rows[0][2] == "loaded"


def test_rows_of_the_wrong_width_and_blank_lines(warehouse, data_dir):
    # pyarrow's fast reader refuses such a file; the careful reader pads it and counts real lines
    path = write_declarations(data_dir / "raw/declarations/ragged.csv", [{}, {"referentienummer": "R2"}])
    short = ",".join(list(BASE_LINE.values())[:5])
    long = ",".join([*dict(BASE_LINE, referentienummer="R4").values(), "extra"])
    path.write_text(path.read_text() + f"{short}\n\n{long}\n")
    _, rows, files = ingest(warehouse)
    assert [(r[1], r[2], r[3]) for r in rows] == [(2, "loaded", None), (3, "loaded", None), (4, "quarantined", "D01"),
                                                  (6, "loaded", None)]
    assert "toewijzingnummer empty is not a whole number" in rows[2][4]
    assert files[0][1:6] == ("loaded", 4, 3, 1, 0)


def test_file_failing_midway_leaves_no_rows_and_others_load(warehouse, data_dir, monkeypatch):
    # the first batches are in DuckDB when the reader fails: they are removed, the run goes on
    monkeypatch.setattr(csv_source, "ARROW_BATCH_ROWS", 2)
    path = write_declarations(data_dir / "raw/declarations/a_broken.csv",
                              [{"referentienummer": f"R{i}"} for i in range(6)], encoding="cp1252")
    path.write_text(path.read_text(encoding="cp1252") + "x" * 200_000 + "\n", encoding="cp1252")
    write_declarations(data_dir / "raw/declarations/b_ok.csv", [{}])
    summary, rows, files = ingest(warehouse)
    assert [(f[0], f[1], f[2]) for f in files] == [("declarations/a_broken.csv", "rejected", 0),
                                                   ("declarations/b_ok.csv", "loaded", 1)]
    assert "field larger than field limit" in files[0][6]
    assert [(r[0], r[2]) for r in rows] == [("declarations/b_ok.csv", "loaded")]
    assert (summary.files_rejected, summary.rows_read, summary.rows_loaded) == (1, 1, 1)


def test_jw323_example_message(warehouse, data_dir):
    shutil.copyfile(FIXTURES / "jw323_example.xml", data_dir / "raw/declarations/JW323.xml")
    _, rows, files = ingest(warehouse)
    # RN004 appears twice with a different period: the second is D09
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (1, "loaded", None), (2, "loaded", None), (3, "loaded", None), (4, "loaded", None),
        (5, "quarantined", "D09")]
    assert {r[5] for r in rows} == {"0384"} and {r[6] for r in rows} == {"65656055"}
    assert files[0][2:6] == (5, 4, 1, 0)


def test_truncated_xml_is_rejected_and_others_load(warehouse, data_dir):
    data = (FIXTURES / "jw323_example.xml").read_bytes()
    (data_dir / "raw/declarations/cut.xml").write_bytes(data[: len(data) // 2])
    write_declarations(data_dir / "raw/declarations/ok.csv", [{}])
    summary, rows, files = ingest(warehouse)
    assert [(f[0], f[1], f[2]) for f in files] == [("declarations/cut.xml", "rejected", 0),
                                                   ("declarations/ok.csv", "loaded", 1)]
    assert "invalid JW323" in files[0][6]
    assert len(rows) == 1 and summary.files_rejected == 1


def test_a_rejected_file_is_named_in_full_beside_its_reason(warehouse, data_dir):
    """iJw files are named by the provider's AGB code (eight digits): the reason carries no name of
    its own that redaction would mask and Markdown would then drop as a tag."""
    from foundation.alerts import rejected_files_alert, rejected_md
    from foundation.settings import load_settings

    data = (FIXTURES / "jw323_example.xml").read_bytes()
    (data_dir / "raw/declarations/01328668_0034_202306.xml").write_bytes(data[: len(data) // 2])
    summary, _, files = ingest(warehouse)
    reason = files[0][6]
    assert reason.startswith("invalid JW323") and "<" not in reason and ", line " in reason
    assert summary.rejected == [f"declarations/01328668_0034_202306.xml: {reason}"]
    md = rejected_md(summary.rejected)
    assert md == f"- `declarations/01328668_0034_202306.xml`: {reason}"
    alert = rejected_files_alert("declarations", summary.rejected, "r1",
                                 load_settings({"JEUGDZORG_DATA_DIR": str(data_dir)}))
    assert f"- `declarations/01328668_0034_202306.xml`: {reason}" in alert.text.splitlines()


def test_hostile_files_are_rejected(warehouse, data_dir, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("999900006")
    (data_dir / "raw/declarations/xxe.xml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE b [<!ENTITY x SYSTEM "file://{secret}">]><b>&x;</b>')
    (data_dir / "raw/declarations/bomb.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><l>&b;</l>')
    (data_dir / "raw/declarations/garbage.csv").write_bytes(bytes(range(256)) * 50)
    (data_dir / "raw/declarations/garbage.xml").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    (data_dir / "raw/declarations/noheader.csv").write_text("a,b,c\n1,2,3\n")
    write_declarations(data_dir / "raw/declarations/ok.csv", [{}])
    _, rows, files = ingest(warehouse)
    status = {f[0].split("/")[1]: (f[1], f[6]) for f in files}
    assert status["ok.csv"] == ("loaded", None)
    for name in ("xxe.xml", "bomb.xml", "garbage.csv", "garbage.xml", "noheader.csv"):
        assert status[name][0] == "rejected", name
        assert status[name][1]
    assert "DOCTYPE" in status["xxe.xml"][1]
    assert "lacks required column" in status["noheader.csv"][1]
    assert all("999900006" not in (f[6] or "") for f in files)
    assert len(rows) == 1


def test_endless_line_is_rejected_without_reading_it_whole(warehouse, data_dir):
    path = write_declarations(data_dir / "raw/declarations/endless.csv", [{}])
    path.write_text(path.read_text() + "9" * (csv_source.MAX_LINE_CHARS + 10))
    _, rows, files = ingest(warehouse)
    assert files[0][1] == "rejected" and "a line longer than" in files[0][6] and rows == []


def test_oversized_file_rejected(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/big.csv", [{}] * 20)
    small = warehouse.model_copy(update={"max_file_bytes": 100})
    _, rows, files = ingest(small)
    assert files[0][1] == "rejected" and "above the limit" in files[0][6] and rows == []


def test_many_xml_files_on_worker_processes_keep_file_order(warehouse, data_dir, monkeypatch):
    # the parallel path with a tiny window: one file per task, one task ahead, batches of 3 lines
    from assets.ingest import loading, xml_reader
    for name, value in (("PARALLEL_FROM", 2), ("CHUNK_FILES", 1), ("CHUNKS_AHEAD", 1)):
        monkeypatch.setattr(xml_reader, name, value)
    monkeypatch.setattr(loading, "PARSED_BATCH_ROWS", 3)
    text = (FIXTURES / "jw323_example.xml").read_text()
    for i in range(5):
        content = text.replace(">RN00", f">F{i}RN00")
        (data_dir / f"raw/declarations/f{i}.xml").write_text(content[: len(content) // 2] if i == 2 else content)
    summary, rows, files = ingest(warehouse)
    assert [(f[0], f[1], f[2]) for f in files] == [
        (f"declarations/f{i}.xml", "rejected" if i == 2 else "loaded", 0 if i == 2 else 5) for i in range(5)]
    assert [(r[0], r[1]) for r in rows] == [(f"declarations/f{i}.xml", n) for i in (0, 1, 3, 4) for n in range(1, 6)]
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (20, 16, 4)


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.77, 0.9, 0.99])
def test_xml_truncated_anywhere_is_rejected(warehouse, data_dir, fraction):
    data = (FIXTURES / "jw323_example.xml").read_bytes()
    (data_dir / "raw/declarations/cut.xml").write_bytes(data[: int(len(data) * fraction)])
    _, rows, files = ingest(warehouse)
    assert files[0][1] == "rejected" and rows == []
