"""spend_growth against a fixture computed by hand (k = 1).

Almelo (0141), 1,000 young inhabitants in 2023 and 990 in 2024.
2023: clients A and B each get 10 units of 45A01 at EUR 100 (EUR 1,000 each); C gets 100 units
      of 54B01 at EUR 2 (EUR 200). Spend EUR 2,200, 3 clients, EUR 733.33 per client.
2024: A and B each get 8 units of 45A01 at EUR 125 (EUR 1,000 each): the tariff rises while the
      volume falls. B also gets 2 units of 46C01 at EUR 150, a product declared in 2024 only; C is
      gone (54B01, a product declared in 2023 only). A's extra unit of 45A01 is credited back,
      so it counts for neither volume nor spend. Spend EUR 2,300, 2 clients, EUR 1,150 per client:
      clients fall while spend rises.

By hand, for 2024:
- change = 2,300 - 2,200 = 100.00
- client effect = (2 - 3) x (1,150 + 733.333...)/2 = -941.67
- per-client effect = (1,150 - 733.333...) x (2 + 3)/2 = 1,041.67 (and -941.67 + 1,041.67 = 100.00)
- price effect = (125 - 100) x (16 + 20)/2 = 450.00 (45A01 only: 54B01 and 46C01 are in one year)
- volume/mix effect = 100 - 450 = -350.00
- tariff change = 450 / (100 x (16 + 20)/2) = 25.00 %, above the default youth-care index of 5 %,
  so the WARN check tariff_rise_within_index names Almelo
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from demo_data.bsn import synthetic_bsn
from tests.conftest import TEST_KEY, make_drop_folders, table_rows, write_declarations
from tests.test_blocking_checks import checks, refresh


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from foundation.warehouse import Warehouse

    data = tmp_path_factory.mktemp("growth")
    make_drop_folders(data)
    (data / "raw/reference/population.csv").write_text(
        "gemeentecode,jaar,inwoners_0_17\n0141,2023,1000\n0141,2024,990\n")
    bsn = {c: synthetic_bsn(f"growth/{c}") for c in "ABC"}

    def line(ref: str, client: str, year: int, code: str, volume: int, euros: int, dc: str = "D",
             previous: str = "") -> dict:
        return {"referentienummer": ref, "vorig_referentienummer": previous, "bsn": bsn[client],
                "toewijzingnummer": f"10{ord(client)}", "productcategorie": code[:2], "productcode": code,
                "product_begindatum": f"{year}-03-01", "product_einddatum": f"{year}-03-31",
                "geleverd_volume": str(volume), "producttarief": str(euros * 100),
                "ingediend_bedrag": str(volume * euros * 100), "debet_credit": dc}

    write_declarations(data / "raw/declarations/growth.csv", [
        line("A23", "A", 2023, "45A01", 10, 100), line("B23", "B", 2023, "45A01", 10, 100),
        line("C23", "C", 2023, "54B01", 100, 2),
        line("A24", "A", 2024, "45A01", 8, 125), line("B24", "B", 2024, "45A01", 8, 125),
        line("B24n", "B", 2024, "46C01", 2, 150),
        line("A24x", "A", 2024, "45A01", 1, 125), line("A24xc", "A", 2024, "45A01", 1, 125, "C", "A24x")])
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=1)
    result = refresh(warehouse)
    assert result.success
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    yield con, checks(result)
    con.close()


@pytest.fixture
def published(built):
    return built[0]


def test_spend_change_splits_exactly_into_clients_and_per_client(published):
    row = published.execute("""
        SELECT year, spend_eur, spend_year_before_eur, spend_change_eur, clients, clients_year_before,
               spend_per_client_eur, spend_per_client_year_before_eur, client_effect_eur, per_client_effect_eur,
               youth_population, youth_population_change
        FROM marts.spend_growth WHERE municipality_code = '0141'""").fetchall()
    assert row == [(2024, Decimal("2300.00"), Decimal("2200.00"), Decimal("100.00"), 2, 3, Decimal("1150.00"),
                    Decimal("733.33"), Decimal("-941.67"), Decimal("1041.67"), 990, -10)]


def test_price_effect_counts_codes_declared_in_both_years_only(published):
    row = published.execute("SELECT price_effect_eur, volume_mix_effect_eur FROM marts.spend_growth "
                            "WHERE municipality_code = '0141' AND year = 2024").fetchone()
    assert row == (Decimal("450.00"), Decimal("-350.00"))


def test_the_tariff_change_and_its_warn_check_against_the_youth_care_index(built):
    published, found = built
    (pct,) = published.execute("SELECT tariff_change_pct FROM marts.spend_growth WHERE municipality_code = '0141' "
                               "AND year = 2024").fetchone()
    assert pct == 25.0
    check = found["tariff_rise_within_index"]
    assert not check.passed and check.metadata["youth_care_index_pct"].value == 5.0
    assert check.metadata["municipalities_above"].value == 1
    assert [row[:2] for row in table_rows(check.metadata["above"])] == [["0141", "Almelo"]]


def test_the_published_file_enforces_that_the_parts_add_up(published):
    checks = {r[0] for r in published.execute(
        "SELECT expression FROM duckdb_constraints() WHERE table_name = 'spend_growth' "
        "AND constraint_type = 'CHECK'").fetchall()}
    assert len(checks) == 3
    assert any("client_effect_eur" in c and "per_client_effect_eur" in c for c in checks)
    assert any("price_effect_eur" in c and "volume_mix_effect_eur" in c for c in checks)


def test_a_row_whose_parts_do_not_add_up_cannot_enter_the_published_file(published, tmp_path):
    (path,) = published.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                                ).fetchone()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(Path(path).read_bytes())
    with duckdb.connect(str(copy)) as con, pytest.raises(duckdb.ConstraintException):
        con.execute("UPDATE marts.spend_growth SET per_client_effect_eur = per_client_effect_eur + 0.01")
