"""The region level of spend_growth and trajectory_flows, and their two WARN checks, against a
fixture computed by hand (k = 1). Both municipalities are in Twente. Every client gets one unit
of 45A01 at EUR 100 in every month from its start to the data cut-off (May 2024); the start is
the first declared period, which begins on the day given; no trajectory ends.

- Almelo (0141): F from 2022-03-15, G from 2022-04-15, H from 2022-05-15. Each passes 730 days in
  a later month (F on 2024-03-31 with 747 days, G in April, H in May), so running over 24 months
  is 0, 1, 2, 3 from February to May 2024: it rose in each of the three months up to the cut-off.
- Enschede (0153): F' from 2022-03-15, G' from 2022-05-15, I from 2023-07-01: running over 24
  months is 0, 1, 1, 2 from February to May: it rose, but not three months in a row.

By hand, at the cut-off (2024-05-31): Almelo runs 808 + 777 + 747 days (mean 777.3), all over
24 months; Enschede 808 + 747 + 335 (mean 630.0), 2 of 3 over 24 months. The region: 5 of 6 over
24 months (83.3 %), mean (2,332 + 1,890) / 6 = 703.7 days.

Spend 2023 against 2022: Almelo 3,600 against 2,700 (10 + 9 + 8 months), 3 clients in both years:
change 900, client effect 0, per-client effect 900. Enschede 3,000 (12 + 12 + 6) against 1,800
(10 + 8), 3 clients against 2: change 1,200, client effect 1 x (1,000 + 900) / 2 = 950, per-client
effect 250. The region: change 2,100 / 4,500 = 46.67 %, client effect 950 / 4,500 = 21.11 %,
per-client effect 1,150 / 4,500 = 25.56 %, price effect 0 % (tariffs never change), so the
tariff check passes, while Almelo's long-running care check speaks up.
"""

from __future__ import annotations

import calendar
from datetime import date

import dagster as dg
import duckdb
import pytest

from demo_data.bsn import synthetic_bsn
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY, make_drop_folders, table_rows, write_declarations

STARTS = {("0141", "F"): date(2022, 3, 15), ("0141", "G"): date(2022, 4, 15), ("0141", "H"): date(2022, 5, 15),
          ("0153", "F"): date(2022, 3, 15), ("0153", "G"): date(2022, 5, 15), ("0153", "I"): date(2023, 7, 1)}
CUTOFF = date(2024, 5, 31)


def monthly_lines(municipality: str, client: str, start: date) -> list[dict]:
    bsn = synthetic_bsn(f"flows/{municipality}/{client}")
    lines, first = [], start
    while first <= CUTOFF:
        last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
        lines.append({"referentienummer": f"{municipality}{client}{first:%Y%m}", "bsn": bsn,
                      "gemeentecode": municipality, "toewijzingnummer": f"{municipality}{ord(client)}",
                      "product_begindatum": f"{first:%Y-%m-%d}", "product_einddatum": f"{last:%Y-%m-%d}",
                      "geleverd_volume": "1", "producttarief": "10000", "ingediend_bedrag": "10000"})
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return lines


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from foundation.warehouse import Warehouse

    data = tmp_path_factory.mktemp("flows")
    make_drop_folders(data)
    write_declarations(data / "raw/declarations/flows.csv",
                       [line for (m, c), start in STARTS.items() for line in monthly_lines(m, c, start)])
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=1)
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}, raise_on_error=False)
    assert result.success
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    yield con, {c.check_name: c for c in result.get_asset_check_evaluations()}
    con.close()


def benchmark(con, year: int, measures: list[str]) -> dict:
    return {(m, code): (mv, rv) for m, code, mv, rv in con.execute(
        "SELECT measure, municipality_code, municipality_value, region_value FROM marts.region_benchmark "
        "WHERE year = ? AND measure IN (SELECT unnest(?))", [year, measures]).fetchall()}


def test_flows_at_the_cut_off(built):
    con, _ = built
    rows = con.execute("""
        SELECT municipality_code, strftime(month, '%Y-%m'), running, running_over_12m, running_over_24m,
               mean_running_duration_days
        FROM marts.trajectory_flows WHERE month >= '2024-02-01' ORDER BY ALL""").fetchall()
    assert rows == [("0141", "2024-02", 3, 3, 0, 685.3), ("0141", "2024-03", 3, 3, 1, 716.3),
                    ("0141", "2024-04", 3, 3, 2, 746.3), ("0141", "2024-05", 3, 3, 3, 777.3),
                    ("0153", "2024-02", 3, 2, 0, 538.0), ("0153", "2024-03", 3, 2, 1, 569.0),
                    ("0153", "2024-04", 3, 2, 1, 599.0), ("0153", "2024-05", 3, 2, 2, 630.0)]


def test_region_values_of_running_care_at_the_year_end(built):
    con, _ = built
    got = benchmark(con, 2024, ["running_over_24m_pct", "mean_running_duration_days", "running_over_12m_pct"])
    assert got == {("running_over_24m_pct", "0141"): (100.0, 83.3), ("running_over_24m_pct", "0153"): (66.7, 83.3),
                   ("mean_running_duration_days", "0141"): (777.3, 703.7),
                   ("mean_running_duration_days", "0153"): (630.0, 703.7),
                   ("running_over_12m_pct", "0141"): (100.0, 83.3), ("running_over_12m_pct", "0153"): (66.7, 83.3)}


def test_region_values_of_spend_growth_are_the_municipalities_parts_summed(built):
    con, _ = built
    got = benchmark(con, 2023, ["spend_change_pct", "client_effect_pct", "per_client_effect_pct",
                                "price_effect_pct", "volume_mix_effect_pct", "tariff_change_pct"])
    assert got == {("spend_change_pct", "0141"): (33.33, 46.67), ("spend_change_pct", "0153"): (66.67, 46.67),
                   ("client_effect_pct", "0141"): (0.0, 21.11), ("client_effect_pct", "0153"): (52.78, 21.11),
                   ("per_client_effect_pct", "0141"): (33.33, 25.56),
                   ("per_client_effect_pct", "0153"): (13.89, 25.56),
                   ("price_effect_pct", "0141"): (0.0, 0.0), ("price_effect_pct", "0153"): (0.0, 0.0),
                   ("volume_mix_effect_pct", "0141"): (33.33, 46.67),
                   ("volume_mix_effect_pct", "0153"): (66.67, 46.67),
                   ("tariff_change_pct", "0141"): (0.0, 0.0), ("tariff_change_pct", "0153"): (0.0, 0.0)}
    parts = con.execute("""
        SELECT municipality_code, spend_change_eur, client_effect_eur, per_client_effect_eur
        FROM marts.spend_growth WHERE year = 2023 ORDER BY 1""").fetchall()
    assert [(c, float(a), float(b), float(d)) for c, a, b, d in parts] == [
        ("0141", 900.0, 0.0, 900.0), ("0153", 1200.0, 950.0, 250.0)]


def test_warn_when_long_running_care_rises_three_months_in_a_row(built):
    _, checks = built
    rising = checks["long_running_care_is_not_rising"]
    assert not rising.passed and rising.severity == dg.AssetCheckSeverity.WARN
    assert rising.metadata["municipalities_rising"].value == 1
    assert table_rows(rising.metadata["rising"].value) == [["0141", "2024-02", "0", "2024-05", "3"]]


def test_no_warn_when_tariffs_stay_within_the_index(built):
    _, checks = built
    tariffs = checks["tariff_rise_within_index"]
    assert tariffs.passed and tariffs.metadata["youth_care_index_pct"].value == 5.0
