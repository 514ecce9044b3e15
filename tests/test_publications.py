"""Every publication kept (issue 40, file mode): a number per publication in `about` and the
registry, the last N published files kept and the older ones deleted, `revisions` filled from
published cells, the provisional window measured from the data's own late lines, and the letters
citing their publication. Known answers on the fixture of tests/test_cost_marts.py, published three
times (JEUGDZORG_PUBLICATIONS_KEPT = 2):

v1: a.csv. 0141 in 2024: c1 500 (January-April, June), c3 300 (January), c2 300 (February): 1,100 for
    three clients; February 400 for two.
v2: + b.csv, P2's April file: the credit of c2's February (late: two months after it) and c3 at 100
    in April. 2024: 900 for two clients; February 100 for one; April 200 for two.
v3: + c.csv, c4 at P1 in 0147 in February 2024 (100): 0141 does not move.

The window: a.csv holds all of v1's history in one file, which is late in nothing (window 0). P2's
credit for February arrives with its April file, two months after P2's February (a.csv), and moves
0141's February by 300 of the 2,500 euros of net municipality-months (12 %; 300 of 2,400 at one
month, June not yet seen a month): no lag below 2 leaves at most 1 % to move, so provisional_months
= 2 and with data through June 2024 the months from May 2024 are provisional.
"""

import csv
import json
import shutil
from datetime import date
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from assets.reports import render
from demo_data.writers import DECLARATION_COLUMNS
from foundation.settings import SettingsError, load_settings
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY
from tests.test_cost_marts import P1, P2, _line, write_fixture

D = Decimal


def _write(path, rows):
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(DECLARATION_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)


def _publish(wh):
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": wh})
    assert result.success


def _query(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("publications")
    raw = data_dir / "raw"
    write_fixture(raw)
    (raw / "declarations" / "b.csv").unlink()
    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=TEST_KEY, min_cell_size=1, publications_kept=2)
    _publish(wh)
    first = data_dir / "v1.duckdb"
    shutil.copy(wh.publications_dir / "jeugdzorg_v1.duckdb", first)
    credit = _line("B4", P2, "0141", "c2", "54B01", (2024, 2), 300, dc="C", previous="B3")
    _write(raw / "declarations" / "b.csv", [credit, _line("B5", P2, "0141", "c3", "54B01", (2024, 4), 100)])
    _publish(wh)
    second = data_dir / "v2.duckdb"
    shutil.copy(wh.published_db, second)
    _write(raw / "declarations" / "c.csv", [_line("E2", P1, "0147", "c4", "45A01", (2024, 2), 100)])
    _publish(wh)
    return wh, first, second


def _revisions(path, where="true"):
    return {(r[0], r[1], r[2]): r[3:] for r in _query(path, f"""
        SELECT municipality_code, period, figure, first_version, value_first, version_now, value_now, value_change,
               provisional FROM marts.revisions WHERE {where}""")}


def test_each_publication_has_a_number_in_about_and_the_registry(published):
    wh, first, second = published
    assert _query(first, "SELECT publication_version FROM marts.about") == [(1,)]
    assert _query(second, "SELECT publication_version FROM marts.about") == [(2,)]
    ((version, at),) = _query(wh.published_db, "SELECT publication_version, published_at FROM marts.about")
    assert version == 3
    with duckdb.connect(str(wh.working_db), read_only=True) as con:
        recorded = con.execute("SELECT version, published_at FROM registry.publications ORDER BY version").fetchall()
    assert [v for v, _ in recorded] == [1, 2, 3] and recorded[-1][1] == at


def test_the_last_n_publications_are_kept_and_older_ones_deleted(published):
    wh, *_ = published
    kept = sorted(p.name for p in wh.publications_dir.iterdir())
    assert kept == ["jeugdzorg_v2.duckdb", "jeugdzorg_v3.duckdb"]  # v1 pruned: two are kept
    # a kept publication is the published file as it was: v3's copy is today's file
    assert _query(wh.publications_dir / "jeugdzorg_v3.duckdb", "SELECT count(*) FROM marts.revisions") == \
        _query(wh.published_db, "SELECT count(*) FROM marts.revisions")


def test_revisions_after_a_late_credit(published):
    wh, first, second = published
    # after the first publication every period was first reported there and has not moved
    assert _revisions(first)[("0141", "2024", "spend_eur")] == (1, D("1100.00"), 1, D("1100.00"), D("0.00"), False)
    assert _revisions(first, "value_change <> 0") == {}
    got = _revisions(second, "municipality_code = '0141'")
    assert got[("0141", "2024", "spend_eur")] == (1, D("1100.00"), 2, D("900.00"), D("-200.00"), True)
    assert got[("0141", "2024", "clients")] == (1, D("3.00"), 2, D("2.00"), D("-1.00"), True)
    assert got[("0141", "2024-02", "spend_eur")] == (1, D("400.00"), 2, D("100.00"), D("-300.00"), False)
    assert got[("0141", "2024-04", "spend_eur")] == (1, D("100.00"), 2, D("200.00"), D("100.00"), False)
    assert got[("0141", "2023", "spend_eur")] == (1, D("1400.00"), 2, D("1400.00"), D("0.00"), False)
    # v1 is no longer kept, but v2's revisions carry its first values on: the third publication still
    # compares with v1, and a period first reported in v3 starts there
    now = _revisions(wh.published_db)
    assert now[("0141", "2024", "spend_eur")] == (1, D("1100.00"), 3, D("900.00"), D("-200.00"), True)
    assert now[("0147", "2024-02", "spend_eur")] == (3, D("100.00"), 3, D("100.00"), D("0.00"), False)
    assert now[("0147", "2024", "spend_eur")] == (1, D("100.00"), 3, D("200.00"), D("100.00"), True)


def test_the_provisional_window_is_measured_from_the_late_credit(published):
    wh, first, _ = published
    # in the first publication nothing arrived late: no month is provisional
    assert _query(first, "SELECT provisional_months, provisional_from FROM marts.about") == [(0, None)]
    assert _query(wh.published_db, "SELECT provisional_months, provisional_from FROM marts.about") == [
        (2, date(2024, 5, 1))]


def _refill(target, history):
    """fill_revisions on `target` again, as the publish step runs it."""
    from assets.publish import fill_revisions

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{target}' AS pub")
        con.execute("USE pub.marts")  # as the publish step does: the foreign keys name tables in it
        con.execute("DELETE FROM pub.marts.revisions")
        return fill_revisions(con, "pub", history)


def test_a_kept_publication_that_cannot_be_read_is_left_out(published, tmp_path):
    _, first, second = published
    broken = tmp_path / "jeugdzorg_v9.duckdb"
    broken.write_bytes(b"not a database")
    target = tmp_path / "target.duckdb"
    shutil.copy(second, target)
    assert _refill(target, [first, broken]) == ["jeugdzorg_v9.duckdb"]
    assert _revisions(target, "municipality_code = '0141'") == _revisions(second, "municipality_code = '0141'")


def test_a_value_hidden_in_either_publication_stays_hidden(published, tmp_path):
    _, first, second = published
    hidden_first, target = tmp_path / "v1.duckdb", tmp_path / "target.duckdb"
    shutil.copy(first, hidden_first)
    shutil.copy(second, target)
    hide = ("UPDATE marts.cost_by_municipality_year SET suppressed = true, spend_eur = NULL, clients = NULL "
            "WHERE municipality_code = '0141' AND year = {}")
    with duckdb.connect(str(hidden_first)) as con:
        con.execute(hide.format(2024))
        con.execute("DELETE FROM marts.revisions")  # v1's own first values would be the same shown ones
    with duckdb.connect(str(target)) as con:
        con.execute(hide.format(2023))
    assert _refill(target, [hidden_first]) == []
    got = _revisions(target, "municipality_code = '0141' AND period_kind = 'year' AND figure = 'spend_eur'")
    assert got == {("0141", "2023", "spend_eur"): (1, D("1400.00"), 2, None, None, False),
                   ("0141", "2024", "spend_eur"): (1, None, 2, D("900.00"), None, True)}


def test_the_letters_cite_their_publication_and_mark_a_provisional_period(published, tmp_path):
    from tests.test_council_reports import _text, check_letter

    wh, *_ = published
    # the monthly letter covers May 2024, inside the window; the yearly one 2023, outside it
    (month,) = render.render_all(wh.published_db, tmp_path, "month", keys={"GM0141_Almelo"})
    (year,) = render.render_all(wh.published_db, tmp_path, "year", keys={"GM0141_Almelo"})
    for letter in (month, year):
        listing = json.loads(letter.pdf.with_suffix(".figures.json").read_text())
        assert listing["publication"]["version"] == 3
        assert listing["publication"]["kept_as"] == "warehouse/publications/jeugdzorg_v3.duckdb"
        published_on = listing["publication"]["cited_as"].removeprefix("publicatie v3 van ")
        text = " ".join(_text(letter.pdf.read_bytes()).split())
        assert f"Publicatie v3 van {published_on}" in text
        assert "cijfers vanaf mei 2024 (de laatste 2 maanden) kunnen nog veranderen" in text
        check_letter(wh.published_db, letter.pdf)
        # the kept copy answers every query of the figure list as the published file does
        check_letter(wh.publications_dir / "jeugdzorg_v3.duckdb", letter.pdf)
    month_text, year_text = (" ".join(_text(r.pdf.read_bytes()).split()) for r in (month, year))
    assert "Voorlopig: de cijfers over mei 2024 kunnen nog veranderen" in month_text
    assert "Voorlopig: de cijfers over" not in year_text


def test_the_number_of_kept_publications_is_a_setting():
    assert load_settings({}).publications_kept == 12
    assert load_settings({"JEUGDZORG_PUBLICATIONS_KEPT": "3"}).publications_kept == 3
    for bad in ("0", "2.5", "twaalf"):
        with pytest.raises(SettingsError, match="JEUGDZORG_PUBLICATIONS_KEPT"):
            load_settings({"JEUGDZORG_PUBLICATIONS_KEPT": bad})


def test_publications_recorded_before_versions_are_numbered_in_order():
    from foundation.fingerprint import next_publication_version
    from foundation.schema import create_schema

    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA registry")
        con.execute("CREATE TABLE registry.publications (published_at TIMESTAMP NOT NULL, run_id VARCHAR NOT NULL, "
                    "fingerprint VARCHAR NOT NULL)")
        con.execute("INSERT INTO registry.publications VALUES ('2026-01-02', 'b', 'x'), ('2026-01-01', 'a', 'x')")
        create_schema(con)
        create_schema(con)  # again: nothing changes
        assert con.execute("SELECT run_id, version FROM registry.publications ORDER BY version").fetchall() == [
            ("a", 1), ("b", 2)]
        assert next_publication_version(con) == 3
