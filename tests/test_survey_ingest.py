"""Outcome-record ingestion: each rule S01-S09, CSV and XLSX, Excel-stripped zeros, the identity."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from assets.ingest.reference import load_reference
from assets.ingest.surveys import ingest_surveys
from assets.transform import run_dbt
from demo_data.writers import SURVEY_COLUMNS
from tests.conftest import BASE_SURVEY as BASE
from tests.conftest import write_surveys


def ingest(warehouse):
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
        summary = ingest_surveys(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        rows = con.execute("SELECT f.source_file, r.line_no, r.status, r.rule_id, r.message, r.municipality_code, "
                           "r.end_reason, r.self_reliance FROM raw.survey_rows r JOIN registry.files f "
                           "USING (file_id) ORDER BY r.file_id, r.line_no").fetchall()
        files = con.execute("SELECT source_file, status, rows_read, rows_loaded, rows_quarantined, message "
                            "FROM registry.files WHERE kind = 'surveys' ORDER BY file_id").fetchall()
    return summary, rows, files


RULE_CASES = {
    "S01": {"startdatum": "2024-13-45"},
    "S02": {"bsn": "999900007"},
    "S03": {"gemeentecode": "9999"},
    "S04": {"tevredenheid": "11"},
    "S05": {"zonder_hulp_verder": "05"},
    "S06": {"informant": "moeder"},
    "S07": {"reden_beeindiging": "99"},
    "S08": {"einddatum": "2023-12-31"},
}


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_each_rule_quarantines_its_case(warehouse, data_dir, rule_id):
    write_surveys(data_dir / "raw/surveys/s.csv", [{"toewijzingnummer": "1"}, {**RULE_CASES[rule_id]}])
    _, rows, files = ingest(warehouse)
    assert [(r[2], r[3]) for r in rows] == [("loaded", None), ("quarantined", rule_id)]
    assert rows[1][1] == 3
    assert files[0][1:5] == ("loaded", 2, 1, 1)


@pytest.mark.parametrize(("change", "rule_id"), [
    ({"tevredenheid": "7.5"}, "S04"),  # not an integer
    ({"tevredenheid": "0"}, "S04"),
    ({"aanbieder_agb": "1234567X"}, "S03"),  # AGB not 8 digits
    ({"einddatum": "", "reden_beeindiging": "31"}, "S08"),  # end reason without end date
    ({"invuldatum": "2099-01-01"}, "S08"),  # after the ingestion date
    ({"toewijzingnummer": "12.5"}, "S01"),
])
def test_rule_variants(warehouse, data_dir, change, rule_id):
    write_surveys(data_dir / "raw/surveys/s.csv", [change])
    _, rows, _ = ingest(warehouse)
    assert rows[0][2:4] == ("quarantined", rule_id)


def test_empty_optional_values_load(warehouse, data_dir):
    write_surveys(data_dir / "raw/surveys/s.csv", [
        {"einddatum": "", "reden_beeindiging": "", "tevredenheid": "", "zonder_hulp_verder": ""}])
    _, rows, _ = ingest(warehouse)
    assert rows[0][2:4] == ("loaded", None)


def test_s09_latest_response_wins_across_files(warehouse, data_dir):
    write_surveys(data_dir / "raw/surveys/a.csv", [
        {"invuldatum": "2024-07-05"},
        {"invuldatum": "2024-08-01", "tevredenheid": "6"},  # newer: wins
        {"informant": "jeugdige"},  # other informant: its own response
    ])
    _, rows, files = ingest(warehouse)
    assert [(r[2], r[3]) for r in rows] == [("quarantined", "S09"), ("loaded", None), ("loaded", None)]
    assert "a.csv line 3" in rows[0][4]
    # a later file with an even newer response supersedes the earlier winner; counts follow
    write_surveys(data_dir / "raw/surveys/b.csv", [{"invuldatum": "2024-09-01"}])
    _, rows, files = ingest(warehouse)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("surveys/a.csv", "quarantined", "S09"), ("surveys/a.csv", "quarantined", "S09"),
        ("surveys/a.csv", "loaded", None), ("surveys/b.csv", "loaded", None)]
    assert [f[2:5] for f in files] == [(3, 1, 2), (1, 1, 0)]


def test_s09_tie_on_date_goes_to_the_later_row(warehouse, data_dir):
    write_surveys(data_dir / "raw/surveys/a.csv", [{}, {"tevredenheid": "5"}])
    _, rows, _ = ingest(warehouse)
    assert [r[2] for r in rows] == ["quarantined", "loaded"]


def test_xlsx_with_excel_stripped_zeros(warehouse, data_dir):
    wb = Workbook()
    ws = wb.active
    ws.append([c.upper() for c in SURVEY_COLUMNS])
    row = {**BASE, "gemeentecode": 141, "bsn": 12345672, "reden_beeindiging": 31, "zonder_hulp_verder": 2,
           "verwijzer": 2, "toewijzingnummer": 1001.0, "startdatum": datetime(2024, 1, 10),
           "einddatum": date(2024, 6, 30), "invuldatum": datetime(2024, 7, 5), "tevredenheid": 8}
    ws.append([row[c] for c in SURVEY_COLUMNS])
    ws.append([None] * len(SURVEY_COLUMNS))  # an empty row is no response
    wb.save(data_dir / "raw/surveys/s.xlsx")
    _, rows, files = ingest(warehouse)
    assert files[0][1:5] == ("loaded", 1, 1, 0)
    assert rows[0][2:4] == ("loaded", None)
    assert rows[0][5:] == ("0141", "31", "02")


def test_not_a_workbook_and_missing_header_are_rejected(warehouse, data_dir):
    (data_dir / "raw/surveys/fake.xlsx").write_bytes(b"this is not a zip file")
    (data_dir / "raw/surveys/bad.csv").write_text("response_id,bsn\n1,2\n")
    write_surveys(data_dir / "raw/surveys/ok.csv", [{}])
    _, rows, files = ingest(warehouse)
    status = {f[0]: (f[1], f[5]) for f in files}
    assert status["surveys/fake.xlsx"][0] == "rejected" and "workbook" in status["surveys/fake.xlsx"][1]
    assert status["surveys/bad.csv"][0] == "rejected" and "informant" in status["surveys/bad.csv"][1]
    assert status["surveys/ok.csv"] == ("loaded", None)
    assert len(rows) == 1


def test_cbs_mapping_in_staging(warehouse, data_dir):
    reasons = ["02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39"]
    write_surveys(data_dir / "raw/surveys/s.csv",
                  [{"toewijzingnummer": str(i), "reden_beeindiging": r} for i, r in enumerate(reasons)])
    ingest(warehouse)
    run_dbt(warehouse, "run", "--select", "outcome_responses")
    with warehouse.connect() as con:
        got = dict((r, (c, e)) for r, c, e in con.execute(
            "SELECT end_reason, cbs_end_reason, counts_as_ended FROM staging.outcome_responses").fetchall())
    assert got == {"02": ("05", True), "20": (None, False), "31": ("01", True), "32": ("03", True),
                   "33": ("04", True), "34": ("02", True), "35": ("05", True), "36": (None, False),
                   "37": (None, False), "38": ("03", True), "39": ("01", True)}
