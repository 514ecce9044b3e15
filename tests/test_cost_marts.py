"""Cost-trend and provider marts against numbers worked out by hand.

0141: client c1 at provider P1 (product with NJi 'effectief') 100 a month 2023-01..2024-04 and
2024-06 (no May 2024); c3 at P2 200 in 2023-06 and 300 in 2024-01; c2 at P2 300 in 2024-02,
reversed by a credit sent later. 0147 (no population data): c4 at P1 100 in 2024-01.
"""

import csv
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo_data.bsn import synthetic_bsn
from demo_data.writers import DECLARATION_COLUMNS
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY

P1, P2 = "11111111", "22222222"


def _line(ref, agb, muni, client, product, month, euros, dc="D", previous=""):
    y, m = month
    return {"declaratienummer": "D1", "aanbieder_agb": agb, "gemeentecode": muni, "bsn": synthetic_bsn(client),
            "referentienummer": ref, "vorig_referentienummer": previous, "toewijzingnummer": "1",
            "productcategorie": product[:2], "productcode": product, "product_begindatum": f"{y}-{m:02d}-01",
            "product_einddatum": f"{y}-{m:02d}-28", "geleverd_volume": "1", "eenheid": "04",
            "producttarief": str(euros * 100), "ingediend_bedrag": str(euros * 100), "debet_credit": dc}


def write_fixture(raw: Path) -> None:
    months = [(2023, m) for m in range(1, 13)] + [(2024, m) for m in (1, 2, 3, 4, 6)]
    lines = [_line(f"A{y}{m}", P1, "0141", "c1", "45A01", (y, m), 100) for y, m in months]
    lines += [_line("B1", P2, "0141", "c3", "54B01", (2023, 6), 200), _line("B2", P2, "0141", "c3", "54B01",
                                                                             (2024, 1), 300),
              _line("B3", P2, "0141", "c2", "54B01", (2024, 2), 300), _line("E1", P1, "0147", "c4", "45A01",
                                                                             (2024, 1), 100)]
    credit = _line("B4", P2, "0141", "c2", "54B01", (2024, 2), 300, dc="C", previous="B3")
    for sub in ("declarations", "reference"):
        (raw / sub).mkdir(parents=True, exist_ok=True)
    for name, rows in (("a.csv", lines), ("b.csv", [credit])):
        with (raw / "declarations" / name).open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(DECLARATION_COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    ref = raw / "reference"
    (ref / "population.csv").write_text("gemeentecode,jaar,inwoners_0_17\n141,2023,1000\n0141,2024,990\n")
    (ref / "providers.csv").write_text(f"aanbieder_agb,naam\n{P1},Eerste\n{P2},Tweede\n")
    (ref / "provider_financials.csv").write_text(
        f"aanbieder_agb,jaar,omzet_eur,bedrijfsresultaat_eur\n{P1},2024,1000000,30000\n{P2},2024,1000000,30001\n")
    (ref / "products.csv").write_text("productcode,productcategorie,omschrijving,interventie,nji_erkenning\n"
                                      "45A01,45,Gezin,PMTO,effectief - goede aanwijzingen\n"
                                      "54B01,54,GGZ,CGT,niet beoordeeld\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cost")
    write_fixture(data_dir / "raw")
    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=TEST_KEY, min_cell_size=1)
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": wh})
    assert result.success
    return wh, result


def query(wh, sql):
    with duckdb.connect(str(wh.published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_cost_trends(run):
    wh, _ = run
    got = {str(r[0]): r[1:] for r in query(wh, """
        SELECT month, spend_eur, clients, spend_per_client_eur, spend_rolling_12m_eur, spend_yoy_pct, year
        FROM marts.cost_trends_by_municipality WHERE municipality_code = '0141'""")}
    D = Decimal
    assert got["2023-06-01"] == (D("300.00"), 2, D("150.00"), None, None, 2023)
    assert got["2023-11-01"][3] is None  # only 11 months so far
    assert got["2023-12-01"][3] == D("1400.00")
    assert got["2024-01-01"] == (D("400.00"), 2, D("200.00"), D("1700.00"), 300.0, 2024)
    # the credit (sent later) nets c2's February to 0: c2 is no client that month
    assert got["2024-02-01"] == (D("100.00"), 1, D("100.00"), D("1700.00"), 0.0, 2024)
    assert got["2024-04-01"][3] == D("1700.00")
    assert "2024-05-01" not in got
    assert got["2024-06-01"] == (D("100.00"), 1, D("100.00"), None, -66.7, 2024)  # May missing: no rolling sum


def test_cost_by_year_and_product(run):
    wh, _ = run
    got = {(r[0], r[1]): r[2:] for r in query(wh, """
        SELECT municipality_code, year, spend_eur, clients, youth_population, spend_per_youth_eur,
               clients_per_1000_youth, spend_per_client_eur, spend_yoy_pct, evidence_based_spend_pct, suppressed
        FROM marts.cost_by_municipality_year""")}
    D = Decimal
    assert got[("0141", 2023)] == (D("1400.00"), 2, 1000, D("1.40"), 2.0, D("700.00"), None, 85.7, False)
    assert got[("0141", 2024)] == (D("800.00"), 2, 990, D("0.81"), 2.0, D("400.00"), -42.9, 62.5, False)
    assert got[("0147", 2024)] == (D("100.00"), 1, None, None, None, D("100.00"), None, 100.0, False)
    by_product = {(r[0], r[1]): r[2:] for r in query(wh, """
        SELECT year, product_category, spend_eur, clients, share_of_spend_pct, spend_yoy_pct,
               evidence_based_spend_pct
        FROM marts.cost_by_municipality_product_year WHERE municipality_code = '0141'""")}
    assert by_product[(2024, "45")] == (D("500.00"), 1, 62.5, -58.3, 100.0)
    assert by_product[(2024, "54")] == (D("300.00"), 1, 37.5, 50.0, 0.0)


def test_provider_landscape_and_performance(run):
    wh, _ = run
    landscape = {r[0]: r[1:] for r in query(wh, """
        SELECT year, providers, hhi, top5_share_pct FROM marts.provider_landscape WHERE municipality_code = '0141'""")}
    # 2023: shares 1200/1400 and 200/1400 -> (36 + 1) / 49 x 10,000; 2024: 500/800, 300/800 -> (25 + 9) / 64
    assert landscape == {2023: (2, 7551, 100.0), 2024: (2, 5313, 100.0)}
    perf = {(r[0], r[1]): r[2:] for r in query(wh, """
        SELECT provider_agb, year, provider_name, spend_eur, clients, municipalities, margin_pct, margin_above_3pct,
               trajectories_ended FROM marts.provider_performance""")}
    assert perf[(P1, 2024)] == ("Eerste", Decimal("600.00"), 2, 2, 3.0, False, None)  # exactly 3 %: not above
    assert perf[(P2, 2024)] == ("Tweede", Decimal("300.00"), 1, 1, 3.0, True, None)  # 3.0001 %: above
    assert perf[(P2, 2023)][4:6] == (None, None)  # no annual accounts: NULL, not a guess


def test_missing_reference_data_warns(run):
    _, result = run
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["population_is_complete"].passed
    assert checks["population_is_complete"].severity == dg.AssetCheckSeverity.WARN
    assert checks["population_is_complete"].metadata["municipality_years_missing"].value == 1
    assert checks["financials_are_complete"].metadata["provider_years_missing"].value == 2  # P1 2023, P2 2023


def test_dimensions(run):
    wh, _ = run
    assert query(wh, "SELECT count(*), count(*) FILTER (WHERE has_declarations) FROM marts.dim_municipality") == [
        (342, 2)]
    assert query(wh, "SELECT provider_agb, provider_name FROM marts.dim_provider ORDER BY 1") == [
        (P1, "Eerste"), (P2, "Tweede")]
    assert query(wh, "SELECT product_code, evidence_based FROM marts.dim_product ORDER BY 1") == [
        ("45A01", True), ("54B01", False)]
