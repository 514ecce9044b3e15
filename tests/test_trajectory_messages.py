"""Trajectories built on the municipality's iJw messages, and allocation control, against a
fixture computed by hand (k = 1). Almelo (0141), provider P:

- A: JW301 1001 from 2024-01-01 to 06-30, 20 units in total; JW305 start 01-05; JW307 stop
  03-31, reason 31 (planned); an outcome record that says 04-15, reason 34 (the JW307 wins);
  declared January to March, 10 units of EUR 100 each month (EUR 3,000).
- B: JW301 1002 from 01-01 to 03-31, 5 units in total; JW305 start 01-10; JW307 stop 05-31,
  reason 32 (dropout); no outcome record; declared February and May, 2 units each (EUR 400).
- C: JW301 1003 from 01-01, open, budget EUR 1,000; nothing else.
- B's allocation also came in an earlier JW301 (dated 2023-12-15) of 50 units; the later one
  (2024-01-01, 5 units) replaces it, so it counts nowhere.
- D: no messages; an outcome record 03-01 to 03-31, reason 32; declared March, 1 unit (EUR 100).
- E, in Enschede (0153): no messages, no outcome record; declared every month from January 2023
  to May 2024, the data cut-off (2024-05-31): still running across it.

By hand, for 2024:
- Ended: A (JW307, planned), B (JW307 without a survey: dropout), D (survey: dropout). Without the
  messages only A and D would count, and A would have ended early (34).
  trajectories_ended 3, ended_as_planned 1, dropouts 2.
- Ages at the start: A born 2010-02-14, 13 on 2024-01-05 (12-17); B born 2020-06-01, 3 on
  2024-01-10 (0-3); D has no message (onbekend).
- allocation_control (0141, P, 2024): allocations 3; allocated value 20 x 100 + 5 x 100 + 1,000
  (budget) = 3,500; declared on them 3,400; beyond the allocation 3,000 - 2,000 = 1,000 (A);
  lines outside the period 1 (B's May); never declared 1 (C); declarations without allocation 1
  line, EUR 100 (D).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo_data.bsn import synthetic_bsn
from demo_data.writers import write_client_message
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY, make_drop_folders, write_declarations, write_surveys

P = "12345678"
BSN = {c: synthetic_bsn(f"messages/{c}") for c in "ABCDE"}
BIRTH = {"A": date(2010, 2, 14), "B": date(2020, 6, 1), "C": date(2013, 7, 9)}
# what the messages say about a client that must never leave the parser
PERSONAL = {"surname": "Zwartkruis", "first_name": "Ilse-Marije", "street": "Hoogstraatje", "house_number": 77,
            "postcode": "7511QX", "town": "Testoord"}


def message(raw: Path, kind: str, code: str, client: str, record: list, day: date = date(2024, 1, 1),
            name: str | None = None) -> None:
    folder = raw / kind
    folder.mkdir(exist_ok=True)
    sender, receiver = ("0141", P) if code == "JW301" else (P, "0141")
    details = {"bsn": BSN[client], "sex": "2", "birth": BIRTH[client], **PERSONAL}
    write_client_message(folder / f"{name or client}.xml", code, sender=sender, receiver=receiver, message_id=client,
                         day=day, client=details, records=[record])


def allocation(number: int, end: date | None, volume: int | None, budget: int | None = None) -> list:
    return [("ToewijzingNummer", number), ("Product", ("45", "45A01")), ("Toewijzingsdatum", date(2023, 12, 20)),
            ("Toewijzingstijd", "09:00:00"), ("Ingangsdatum", date(2024, 1, 1)), ("Einddatum", end),
            ("RedenWijziging", None), ("Omvang", (volume, "04", "6") if volume else None), ("Budget", budget)]


def start(number: int, begin: date) -> list:
    return [("ToewijzingNummer", number), ("Product", ("45", "45A01")),
            ("ToewijzingIngangsdatum", date(2024, 1, 1)), ("Begindatum", begin), ("StatusAanlevering", "1")]


def stop(number: int, begin: date, reason: str, end: date) -> list:
    return [("ToewijzingNummer", number), ("Product", ("45", "45A01")),
            ("ToewijzingIngangsdatum", date(2024, 1, 1)), ("Begindatum", begin), ("RedenBeeindiging", reason),
            ("Einddatum", end), ("StatusAanlevering", "1")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from foundation.warehouse import Warehouse

    data = tmp_path_factory.mktemp("messages")
    raw = data / "raw"
    make_drop_folders(data)
    message(raw, "allocations", "JW301", "A", allocation(1001, date(2024, 6, 30), 20))
    message(raw, "allocations", "JW301", "B", allocation(1002, date(2024, 3, 31), 5))
    # an earlier version of B's allocation (50 units) that the later message replaces
    message(raw, "allocations", "JW301", "B", allocation(1002, date(2024, 3, 31), 50), day=date(2023, 12, 15),
            name="B_earlier")
    message(raw, "allocations", "JW301", "C", allocation(1003, None, None, budget=100_000))
    message(raw, "care_starts", "JW305", "A", start(1001, date(2024, 1, 5)))
    message(raw, "care_starts", "JW305", "B", start(1002, date(2024, 1, 10)))
    message(raw, "care_stops", "JW307", "A", stop(1001, date(2024, 1, 5), "31", date(2024, 3, 31)))
    message(raw, "care_stops", "JW307", "B", stop(1002, date(2024, 1, 10), "32", date(2024, 5, 31)))

    def line(client: str, allocation_number: int, month: int, units: int) -> dict:
        end = {2: 29, 3: 31, 5: 31}.get(month, 31)
        return {"referentienummer": f"{client}{month}", "bsn": BSN[client], "toewijzingnummer": str(allocation_number),
                "product_begindatum": f"2024-{month:02d}-01", "product_einddatum": f"2024-{month:02d}-{end}",
                "geleverd_volume": str(units), "producttarief": "10000", "ingediend_bedrag": str(units * 10000),
                "aanbieder_agb": P}

    running = [{"referentienummer": f"E{y}{m:02d}", "bsn": BSN["E"], "gemeentecode": "0153", "aanbieder_agb": P,
                "toewijzingnummer": "2001", "product_begindatum": f"{y}-{m:02d}-01",
                "product_einddatum": f"{y}-{m:02d}-{calendar.monthrange(y, m)[1]}"}
               for y, m in [(2023, m) for m in range(1, 13)] + [(2024, m) for m in range(1, 6)]]
    write_declarations(raw / "declarations/d.csv", [
        line("A", 1001, 1, 10), line("A", 1001, 2, 10), line("A", 1001, 3, 10),
        line("B", 1002, 2, 2), line("B", 1002, 5, 2), line("D", 1004, 3, 1), *running])
    write_surveys(raw / "surveys/s.csv", [
        {"bsn": BSN["A"], "aanbieder_agb": P, "toewijzingnummer": "1001", "startdatum": "2024-01-10",
         "einddatum": "2024-04-15", "reden_beeindiging": "34", "invuldatum": "2024-04-20"},
        {"bsn": BSN["D"], "aanbieder_agb": P, "toewijzingnummer": "1004", "startdatum": "2024-03-01",
         "einddatum": "2024-03-31", "reden_beeindiging": "32", "invuldatum": "2024-04-05"}])
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=1)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}, instance=instance,
                            raise_on_error=False)
    assert result.success
    events = "\n".join(f"{e.user_message} {e.dagster_event}" for e in instance.all_logs(result.run_id))
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    yield con, {c.check_name: c for c in result.get_asset_check_evaluations()}, events, warehouse
    con.close()


@pytest.fixture
def published(built):
    return built[0]


def test_stop_messages_end_trajectories_with_or_without_an_outcome_record(published):
    row = published.execute("SELECT trajectories_ended, ended_as_planned, dropouts "
                            "FROM marts.effectiveness_by_municipality "
                            "WHERE municipality_code = '0141' AND year = 2024").fetchall()
    assert row == [(3, 1, 2)]


def test_a_stop_message_outranks_the_outcome_record_for_end_and_reason(published):
    row = published.execute("SELECT duration_band, trajectories_ended, ended_as_planned FROM marts.duration_effect "
                            "WHERE product_category = '45' ORDER BY duration_band_order").fetchall()
    # A: 2024-01-05 (JW305) to 2024-03-31 (JW307) = 86 days; B: 01-10 to 05-31 = 142; D: 03-01 to 03-31 = 30
    assert row == [("<3m", 2, 1), ("3-6m", 1, 0)]


def test_outcomes_per_age_band_at_the_start(published):
    rows = published.execute("SELECT age_band, trajectories_ended, ended_as_planned, dropouts "
                             "FROM marts.effectiveness_by_municipality_age_band ORDER BY age_band_order").fetchall()
    assert rows == [("0-3", 1, 0, 1), ("12-17", 1, 1, 0), ("onbekend", 1, 0, 1)]


def test_allocation_control_equals_the_hand_computation(published):
    row = published.execute("""
        SELECT allocations, allocated_volume_eur, declared_eur, declared_over_allocation_eur,
               lines_outside_allocation_period, allocations_without_declarations, declarations_without_allocation,
               declared_without_allocation_eur
        FROM marts.allocation_control WHERE municipality_code = '0141' AND provider_agb = ? AND year = 2024""",
                            [P]).fetchall()
    assert row == [(3, Decimal("3500.00"), Decimal("3400.00"), Decimal("1000.00"), 1, 1, 1, Decimal("100.00"))]


def test_the_warn_check_names_the_overrun_and_the_unallocated_declarations(built):
    check = built[1]["allocations_are_respected"]
    assert not check.passed and check.severity.value == "WARN"
    assert check.metadata["providers_beyond_allocation"].value == 1
    assert check.metadata["providers_without_allocation"].value == 1


def test_no_name_address_birth_date_or_bsn_in_any_table_log_line_or_dagster_event(built):
    _, _, events, warehouse = built
    personal = [str(v) for v in PERSONAL.values() if isinstance(v, str)]
    personal += [f"{d:%Y-%m-%d}" for d in BIRTH.values()] + [f"{d:%d-%m-%Y}" for d in BIRTH.values()]
    personal += list(BSN.values())
    assert "allocations" in events and [p for p in personal if p in events] == []
    for db in (warehouse.working_db, warehouse.published_db):
        with duckdb.connect(str(db), read_only=True) as con:
            for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                                             "WHERE database_name = current_database()").fetchall():
                text = " ".join(str(v) for row in con.execute(f'SELECT * FROM {schema}."{table}"').fetchall()
                                for v in row)
                assert [p for p in personal if p in text] == [], f"{db.name} {schema}.{table}"


def test_trajectory_flows_per_month(published):
    rows = published.execute("""
        SELECT strftime(month, '%Y-%m'), started, ended, running, running_over_12m, mean_running_duration_days
        FROM marts.trajectory_flows WHERE municipality_code = '0141' ORDER BY month""").fetchall()
    # January: A and B start (26 and 21 days by the 31st); March: D starts, A and D end (an end on the
    # month's last day is not running at its end), B runs on (81 days); May: B ends
    assert rows == [("2024-01", 2, 0, 2, 0, 23.5), ("2024-02", 0, 0, 2, 0, 52.5), ("2024-03", 1, 2, 1, 0, 81.0),
                    ("2024-04", 0, 0, 1, 0, 111.0), ("2024-05", 0, 1, 0, 0, None)]


def test_a_trajectory_running_across_the_cut_off(published):
    rows = published.execute("""
        SELECT strftime(month, '%Y-%m'), running, running_over_12m, running_over_24m, running_without_outcome_over_12m,
               mean_running_duration_days
        FROM marts.trajectory_flows WHERE municipality_code = '0153' AND month IN ('2023-12-01', '2024-01-01',
              '2024-05-01') ORDER BY month""").fetchall()
    # E starts 2023-01-01 (its first declared period): 364 days on 2023-12-31, 395 on 2024-01-31, 516 at the cut-off
    assert rows == [("2023-12", 1, 0, 0, 0, 364.0), ("2024-01", 1, 1, 0, 1, 395.0), ("2024-05", 1, 1, 0, 1, 516.0)]
