"""Untrusted files, second round: every hostile file or value costs itself only, nothing outside
raw/ is opened, and a planted BSN is found nowhere but in the raw files.

One night runs over a data directory holding every case at once (the module's fixture), as the
sensor or `make run` would meet them; the tests then look at what that night left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import pypdf
import pytest
from openpyxl import Workbook

from assets.ingest import declarations, loading
from assets.ingest.declaration_rules import MAX_CENTS, MAX_VOLUME
from assets.ingest.files import STILL_WRITING, UNREAD, plan_run
from assets.ingest.messages import MAX_ALLOCATED_VOLUME
from assets.ingest.reference import load_reference
from assets.ingest.retract import retract
from assets.ingest.row_rules import JEUGDWET_START
from assets.reports.render import render_all
from foundation.pseudonyms import passes_elfproef
from foundation.settings import load_settings
from foundation.warehouse import Warehouse
from pipelines.alerts import digest_alert, failing_warn_checks, send
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import BASE_LINE, BASE_SURVEY, TEST_KEY, make_drop_folders, write_declarations, write_surveys

OWN_BSN = BASE_LINE["bsn"]  # every row's client: pseudonymised, so it must never appear either
PLANTED = "123456782"  # another valid BSN, typed into fields where no BSN belongs
NIGHT_LIMIT_SECONDS = 300  # one night over every hostile file, dbt and publish included
assert passes_elfproef(OWN_BSN) and passes_elfproef(PLANTED)


def _xlsx(path: Path, rows: int, instrument_chars: int = 0) -> Path:
    """An outcome workbook of `rows` answers, each instrument cell `instrument_chars` long (and
    different, so that Excel's shared strings cannot fold them into one)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(BASE_SURVEY))
    for i in range(rows):
        sheet.append([f"X{i}" if c == "response_id" else (f"{i:06d}".ljust(instrument_chars, "y")
                                                           if c == "instrument" else v)
                      for c, v in BASE_SURVEY.items()])
    workbook.save(path)
    return path


def _with_bare_fill(path: Path) -> Path:
    """The workbook with a styles part whose only fill is an empty <fill/>: openpyxl's TypeError."""
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts["xl/styles.xml"] = re.sub(rb"<fills.*?</fills>", b'<fills count="1"><fill/></fills>',
                                    parts["xl/styles.xml"], flags=re.S)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def _plant(data: Path) -> None:
    raw = data / "raw"
    for sub in ("care_stops", "allocations", "care_starts"):
        (raw / sub).mkdir(exist_ok=True)
    write_declarations(raw / "declarations/good.csv", [{}, {"referentienummer": "R2"}])
    # 1. one value: beyond every bound, or a product that would overflow BIGINT
    write_declarations(raw / "declarations/overflow.csv", [
        {"referentienummer": "OK1"},
        {"referentienummer": "BIG", "geleverd_volume": "10000000000", "producttarief": "10000000000",
         "ingediend_bedrag": "1"},
        {"referentienummer": "U83", "eenheid": "83", "producttarief": "", "ingediend_bedrag": str(10**17)}])
    # the largest values the rules accept: every model must still build (their sums fit the published types)
    write_declarations(raw / "declarations/bounds.csv", [
        {"referentienummer": "MAXV", "geleverd_volume": str(MAX_VOLUME), "eenheid": "83", "producttarief": "",
         "ingediend_bedrag": str(MAX_CENTS)},
        {"referentienummer": "MAXT", "geleverd_volume": "1", "producttarief": str(MAX_CENTS),
         "ingediend_bedrag": str(MAX_CENTS)},
        {"referentienummer": "MAXC", "geleverd_volume": "1", "producttarief": str(MAX_CENTS),
         "ingediend_bedrag": str(MAX_CENTS), "debet_credit": "C"}])
    # scores and a start at the bounds of S11, on the declared trajectory (the other informant)
    at_bounds = {"informant": "jeugdige", "instrument": "SDQ", "startdatum": "2015-01-01",
                 "score_begin": "-1000000", "score_eind": "1000000"}
    write_surveys(raw / "surveys/grade.csv", [{}, {"tevredenheid": "3000000000"}, at_bounds])
    (raw / "reference/instrument_norms.csv").write_text("instrument,lower_is_better,sd,reliability\nSDQ,false,5,0.8\n")
    _with_bare_fill(_xlsx(raw / "surveys/fill.xlsx", 2))
    _xlsx(raw / "surveys/rows.xlsx", 1_200)  # the fixture's limit is 1,000 rows
    _xlsx(raw / "surveys/bomb.xlsx", 100, instrument_chars=30_000)  # 3 MB unpacked, beyond the fixture's 1 MB
    # 2. what is not a regular file under raw/
    (raw / "declarations/passwd.csv").symlink_to("/etc/passwd")
    (raw / "declarations/zero.xml").symlink_to("/dev/zero")
    (raw / "care_stops/mem.xml").symlink_to("/proc/self/mem")
    os.mkfifo(raw / "declarations/pipe.csv")
    (raw / "declarations/y.xml").mkdir()
    with (raw / "declarations/sparse.csv").open("wb") as fh:
        fh.truncate(1 << 40)  # 1 TiB of holes: refused by its size, never read
    late_nul = write_declarations(raw / "declarations/late_nul.csv", [
        *({"referentienummer": f"N{i}"} for i in range(900)), {"referentienummer": "NUL", "productcode": "NULMARK"}])
    late_nul.write_bytes(late_nul.read_bytes().replace(b"NULMARK", b"45\x00A1"))  # past the first 64 KB
    # 3. BSNs where none belongs: in free fields, in an identifier (the row's own), in a file name
    write_declarations(raw / "declarations/levering_123456782.csv", [{"referentienummer": "NAMED"}])
    write_declarations(raw / "declarations/levering_100000009.csv", [{"referentienummer": "NAMED2"}])
    # allocations: one at the bounds of A05 (units x the highest tariff must fit the published types), one beyond
    jw301 = (Path(__file__).parent / "fixtures" / "JW301.xml").read_text()
    (raw / "allocations/at_bounds.xml").write_text(
        jw301.replace("<ijw:Volume>2</ijw:Volume>", f"<ijw:Volume>{MAX_ALLOCATED_VOLUME}</ijw:Volume>", 1)
        .replace("<jw301:Ingangsdatum>2026-04-01</jw301:Ingangsdatum>",
                 f"<jw301:Ingangsdatum>{JEUGDWET_START}</jw301:Ingangsdatum>", 1)
        .replace("<jw301:Einddatum>2026-07-14</jw301:Einddatum>", "<jw301:Einddatum>2026-11-30</jw301:Einddatum>", 1))
    (raw / "allocations/beyond.xml").write_text(
        jw301.replace("<ijw:Volume>2</ijw:Volume>", "<ijw:Volume>99999999</ijw:Volume>", 1)
        .replace("300201", "300299"))
    write_declarations(raw / "declarations/fields.csv", [
        {"referentienummer": "F1", "aanbieder_agb": PLANTED},
        {"referentienummer": "F2", "producttarief": PLANTED},
        {"referentienummer": "F3", "product_begindatum": PLANTED},
        {"referentienummer": "F4", "productcode": f"X{PLANTED}"},
        {"referentienummer": "F5", "toewijzingnummer": OWN_BSN},
        {"referentienummer": "F6", "declaratienummer": f"DEC-{OWN_BSN}"},
        # a nine-digit allocation number that passes the elfproef by chance: legal, and loaded
        {"referentienummer": "F7", "toewijzingnummer": "100000009"}])
    write_surveys(raw / "surveys/fields.csv", [{"response_id": "S1", "instrument": PLANTED},
                                               {"response_id": OWN_BSN}])
    write_declarations(raw / "declarations/a@b.csv", [{"referentienummer": "AT"}])
    # text that a spreadsheet would run as a formula, in a reference upload
    (raw / "reference/providers.csv").write_text('aanbieder_agb,naam\n12345678,"=HYPERLINK(""http://x"",""klik"")"\n')


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = tmp_path_factory.mktemp("hostile")
    make_drop_folders(data)
    _plant(data)
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=1, xlsx_max_rows=1_000,
                          xlsx_max_unpacked_mb=1)
    instance_dir = data / "dagster_home"
    instance_dir.mkdir()
    started = time.monotonic()
    with dg.instance_for_test(temp_dir=str(instance_dir)) as instance:
        result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}, instance=instance,
                                raise_on_error=False)
        logs = "\n".join(str(record) for record in instance.all_logs(result.run_id))
        elapsed = time.monotonic() - started
        # the morning's WARN digest, as the sensor would send it: it names the rejected files waiting
        failing = failing_warn_checks(instance, [e.asset_check_key for e in result.get_asset_check_evaluations()])
        digest = send(digest_alert(failing, replace(load_settings(), data_dir=data), "today"),
                      replace(load_settings(), data_dir=data, alert_webhook_url=None))
    render_all(warehouse.published_db, data / "reports", "year")
    return {"data": data, "warehouse": warehouse, "result": result, "elapsed": elapsed, "event_log": logs,
            "digest": digest}


def _files(warehouse: Warehouse) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT source_file, status, sha256, message FROM registry.files ORDER BY file_id").fetchall()}


def _rows(warehouse: Warehouse, table: str, key: str) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(f"SELECT {key}, status, rule_id, message FROM {table}").fetchall()}


def _survey_rows(warehouse: Warehouse) -> dict[tuple[str, int], tuple]:
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        return {(r[0], r[1]): r[2:] for r in con.execute(
            "SELECT f.source_file, r.line_no, r.status, r.rule_id, r.message FROM raw.survey_rows AS r "
            "JOIN registry.files AS f USING (file_id)").fetchall()}


def test_the_night_publishes_within_its_time_with_every_bad_file_and_value_set_aside(night):
    assert night["result"].success
    assert night["elapsed"] < NIGHT_LIMIT_SECONDS, f"the night took {night['elapsed']:.0f} s"
    with duckdb.connect(str(night["warehouse"].published_db), read_only=True) as con:
        # good.csv (2), overflow.csv's OK1, late lines of named and other files at EUR 50 each, plus the bounds:
        # the marts built from values at the rules' bounds, in their published types
        spend = con.execute("SELECT sum(spend_eur) FROM marts.cost_by_municipality_year").fetchone()[0]
    loaded = _rows(night["warehouse"], "raw.declaration_rows", "reference_number")
    expected = sum(50 for ref, (status, _, _) in loaded.items() if status == "loaded" and not ref.startswith("MAX"))
    assert spend == expected + MAX_CENTS / 100  # MAXV + MAXT - MAXC


def test_one_bad_value_costs_its_row(night):
    rows = _rows(night["warehouse"], "raw.declaration_rows", "reference_number")
    assert rows["OK1"][0] == "loaded"
    assert rows["BIG"][:2] == ("quarantined", "D11") and "geleverd_volume 10000000000 is above" in rows["BIG"][2]
    assert rows["U83"][:2] == ("quarantined", "D11") and "ingediend_bedrag 100000000000000000" in rows["U83"][2]
    assert {rows[r][0] for r in ("MAXV", "MAXT", "MAXC")} == {"loaded"}
    surveys = _survey_rows(night["warehouse"])
    assert surveys[("surveys/grade.csv", 3)][:2] == ("quarantined", "S04")
    assert surveys[("surveys/grade.csv", 4)][0] == "loaded"  # at the bounds: loaded, and every mart built


def test_each_bad_file_is_rejected_with_its_reason_and_nothing_outside_raw_is_read(night):
    files = _files(night["warehouse"])
    expected = {
        "declarations/passwd.csv": "a symbolic link, not a regular file",
        "declarations/zero.xml": "a symbolic link, not a regular file",
        "care_stops/mem.xml": "a symbolic link, not a regular file",
        "declarations/pipe.csv": "a named pipe (FIFO), not a regular file",
        "declarations/y.xml": "a directory, not a regular file",
        "declarations/sparse.csv": "file is 1,099,511,627,776 bytes, above the limit",
        "declarations/late_nul.csv": "binary content (a NUL byte on line 902)",
        "surveys/fill.xlsx": "not a readable Excel workbook (TypeError",
        "surveys/rows.xlsx": "more than 1,000 rows",
        "surveys/bomb.xlsx": "unpacks to more than 1,048,576 bytes",
    }
    for name, reason in expected.items():
        status, sha, message = files[name]
        assert status == "rejected" and reason in message, (name, message)
    for name in ("passwd.csv", "zero.xml", "mem.xml", "pipe.csv", "y.xml", "sparse.csv"):
        (status, sha, _), = [v for k, v in files.items() if k.endswith("/" + name)]
        assert sha == UNREAD  # refused before a byte was read: no hash of /etc/passwd anywhere
    data = str(night["data"])
    assert not [m for _, _, m in files.values() if m and data in m]  # no server path in a reason
    with duckdb.connect(str(night["warehouse"].published_db), read_only=True) as con:
        assert con.execute("SELECT sum(files) FROM marts.data_quality_summary WHERE status = 'rejected'"
                            ).fetchone()[0] == len(expected)


def _everything_a_person_could_see(night: dict) -> str:
    """Every byte the pipeline wrote outside raw/, the Dagster event log, and the letters' text."""
    seen = [night["event_log"]]
    for path in night["data"].rglob("*"):
        if path.is_file() and not path.is_symlink() and "raw" not in path.relative_to(night["data"]).parts[:1]:
            seen.append(path.read_bytes().decode("latin-1"))
    for pdf in (night["data"] / "reports").rglob("*.pdf"):
        seen.extend(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    return "\n".join(seen)


def _text_cells(db: Path, needle: str) -> list[str]:
    """Every text column of every table of a DuckDB file holding `needle`: the logical check beside the bytes."""
    found = []
    with duckdb.connect(str(db), read_only=True) as con:
        for schema, table, column in con.execute(
                "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' "
                "AND database_name = current_database()").fetchall():
            if con.execute(f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)',
                           [needle]).fetchone()[0]:
                found.append(f"{schema}.{table}.{column}")
    return found


def test_a_planted_bsn_is_found_nowhere(night):
    rows = _rows(night["warehouse"], "raw.declaration_rows", "reference_number")
    for ref in ("F1", "F2", "F3", "F4", "F5", "F6"):
        assert rows[ref][:2] == ("quarantined", "D10"), (ref, rows[ref])
    assert rows["F7"][0] == "loaded"  # a legal allocation number that passes the elfproef by chance
    assert rows["NAMED"][0] == "loaded"
    surveys = _survey_rows(night["warehouse"])
    assert [surveys[("surveys/fields.csv", line)][1] for line in (2, 3)] == ["S10", "S10"]
    files = _files(night["warehouse"])
    # each BSN in a name becomes its own keyed token: two clients' files stay two files, both loaded
    named = sorted(f for f in files if f.startswith("declarations/levering_"))
    assert len(named) == 2 and all(re.fullmatch(r"declarations/levering_BSN[0-9a-f]{8}\.csv", f) for f in named)
    assert rows["NAMED2"][0] == "loaded"
    seen = _everything_a_person_could_see(night)
    # the scan reaches what it must: the event log and the alert name the rejected files, the letters were read
    assert "rejected surveys/fill.xlsx" in night["event_log"] and "Jeugdzorg" in seen
    assert night["digest"].parent == night["data"] / "alerts" and "rejected" in night["digest"].read_text()
    assert list((night["data"] / "reports").rglob("*.pdf"))
    for bsn in (PLANTED, OWN_BSN):
        assert bsn not in seen
        for db in (night["warehouse"].working_db, night["warehouse"].published_db):
            assert _text_cells(db, bsn) == []
    # the blocking privacy checks passed: the allocation number did not stop the night
    checks = {e.check_name: e for e in night["result"].get_asset_check_evaluations()}
    assert checks["declaration_lines_meet_contract"].passed


def test_formula_text_is_neutralised_in_the_bi_file(night):
    with duckdb.connect(str(night["warehouse"].published_db), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT provider_name FROM marts.dim_provider").fetchall()}
    assert "'=HYPERLINK(\"http://x\",\"klik\")" in names


def test_a_name_with_an_at_sign_or_a_bsn_can_be_retracted(night, tmp_path):
    copy = tmp_path / "pipeline.duckdb"
    shutil.copy(night["warehouse"].working_db, copy)
    shown = night["warehouse"].pseudonymiser().mask_name
    with duckdb.connect(str(copy)) as con:
        done = retract(con, "a@b.csv", "test", shown)
        assert done.source_file == "declarations/a@b.csv" and done.rows_removed == 1
        done = retract(con, "declarations/levering_123456782.csv", "test", shown)  # by the name as delivered
        assert PLANTED not in done.source_file and done.rows_removed == 1


def test_allocations_at_their_bounds_load_and_beyond_them_are_quarantined(night):
    with duckdb.connect(str(night["warehouse"].working_db), read_only=True) as con:
        rows = dict(con.execute("SELECT allocation_number || '/' || f.source_file, r.rule_id "
                                "FROM raw.allocation_rows AS r JOIN registry.files AS f USING (file_id)").fetchall())
    assert rows["300201/allocations/at_bounds.xml"] is None
    assert rows["300299/allocations/beyond.xml"] == "A05"


def test_a_file_that_changes_or_vanishes_while_read_is_rejected_for_the_night(warehouse, data_dir):
    growing = write_declarations(data_dir / "raw/declarations/growing.csv", [{}])
    write_declarations(data_dir / "raw/declarations/gone.csv", [{"referentienummer": "G"}])
    shutil.copy(Path(__file__).parent / "fixtures" / "jw323_example.xml", data_dir / "raw/declarations/gone.xml")
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
        files, _ = plan_run(con, warehouse.raw_dir, "declarations", (".xml", ".csv"), warehouse.max_file_bytes)
        with growing.open("a") as fh:  # the upload goes on after the listing
            fh.write(",".join(BASE_LINE.values()).replace("R1", "R9") + "\n")
        (data_dir / "raw/declarations/gone.csv").unlink()
        (data_dir / "raw/declarations/gone.xml").unlink()
        loader = loading.Loader(con, declarations.TARGET, declarations._insert_sql, declarations.LAYOUT,
                                warehouse.pseudonymiser())
        declarations._read_files(loader, files)
        read, rejected = loader.tally.read, loader.tally.rejected
    reasons = {f.source_file: rejected.get(f.file_id) for f in files}
    assert STILL_WRITING in reasons["declarations/growing.csv"]
    assert "gone.csv" in reasons["declarations/gone.csv"] or "disappeared" in reasons["declarations/gone.csv"]
    assert "No such file" in reasons["declarations/gone.xml"] and str(data_dir) not in reasons["declarations/gone.xml"]
    assert not read
