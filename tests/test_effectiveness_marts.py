"""Effectiveness marts against numbers worked out by hand from tests/fixtures_effectiveness.py.

0141 / 2024 ended trajectories: T1 (31 -> CBS 01), T2 (32 -> 03), T3 (38 -> 03), T4 (39 -> 01),
T5 (02 -> 05); T6-T8 (20, 36, 37) do not count. Satisfaction 8, 6, 4, 7, 9 -> 5 responses, mean
6.8. Self-reliance 04, 02, 01, 03, 04 -> 5; 04: 2 (40 %); 02-04: 4 (80 %). Cut-off 2025-06-30,
so endings up to 2024-12-30 are measurable: all five; T1's client restarts within 182 days (T9),
T2's client only after 183 days (T10) -> 4 of 5 without recurrence (80 %). Reliable change
threshold SDQ: 1.96 x sqrt(2) x 5.5 x sqrt(0.2) = 6.82: T1 ouder (-10) yes, T1 jeugdige (-2) no,
T4 (+7, worse) no -> 1 of 3 (33.3 %). Spend 3,000 + 1,500 (credit) + 1,400 + 1,800 + 100 = 7,800:
per ended trajectory 1,560, per planned ending 3,900.
"""

from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from assets.transform import run_dbt
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY
from tests.fixtures_effectiveness import A, B, write_fixture

COLUMNS = ("trajectories_ended", "ended_as_planned_pct", "dropout_pct", "ended_early_pct", "satisfaction_responses",
           "satisfaction_mean", "self_reliance_responses", "no_further_help_pct", "lighter_or_no_help_pct",
           "recurrence_measurable", "no_recurrence_pct", "reliable_improvement_pct", "spend_eur",
           "cost_per_trajectory_eur", "cost_per_planned_end_eur", "suppressed")


def _published(tmp_path_factory, k: int) -> Warehouse:
    data_dir = tmp_path_factory.mktemp(f"eff_k{k}")
    write_fixture(data_dir / "raw")
    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=TEST_KEY, min_cell_size=k)
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": wh})
    assert result.success
    return wh


@pytest.fixture(scope="module")
def k1(tmp_path_factory):
    return _published(tmp_path_factory, 1)


@pytest.fixture(scope="module")
def k10(tmp_path_factory):
    return _published(tmp_path_factory, 10)


def rows(wh: Warehouse, table: str, keys: str, where: str = "true") -> dict:
    with duckdb.connect(str(wh.published_db), read_only=True) as con:
        result = con.execute(f"SELECT {keys}, {', '.join(COLUMNS)} FROM marts.{table} WHERE {where}").fetchall()
    n = len(keys.split(","))
    return {r[:n] if n > 1 else r[0]: dict(zip(COLUMNS, r[n:], strict=True)) for r in result}


def test_by_municipality_every_column(k1):
    got = rows(k1, "effectiveness_by_municipality", "municipality_code, year")
    assert got[("0141", 2024)] == {
        "trajectories_ended": 5, "ended_as_planned_pct": 40.0, "dropout_pct": 40.0, "ended_early_pct": 60.0,
        "satisfaction_responses": 5, "satisfaction_mean": 6.8, "self_reliance_responses": 5,
        "no_further_help_pct": 40.0, "lighter_or_no_help_pct": 80.0, "recurrence_measurable": 5,
        "no_recurrence_pct": 80.0, "reliable_improvement_pct": 33.3, "spend_eur": Decimal("7800.00"),
        "cost_per_trajectory_eur": Decimal("1560.00"), "cost_per_planned_end_eur": Decimal("3900.00"),
        "suppressed": False,
    }
    # T11 ended 2025-01-31, too close to the cut-off: nothing measurable, no norms, no self-reliance
    assert got[("0141", 2025)] == {
        "trajectories_ended": 1, "ended_as_planned_pct": 100.0, "dropout_pct": 0.0, "ended_early_pct": 0.0,
        "satisfaction_responses": 1, "satisfaction_mean": 7.0, "self_reliance_responses": 0,
        "no_further_help_pct": None, "lighter_or_no_help_pct": None, "recurrence_measurable": 0,
        "no_recurrence_pct": None, "reliable_improvement_pct": None, "spend_eur": Decimal("400.00"),
        "cost_per_trajectory_eur": Decimal("400.00"), "cost_per_planned_end_eur": Decimal("400.00"),
        "suppressed": False,
    }
    assert set(got) == {("0141", 2024), ("0141", 2025)}  # T9 (0147) is ongoing


def test_by_product_and_provider(k1):
    by_product = rows(k1, "effectiveness_by_municipality_product", "year, product_category", "year = 2024")
    assert by_product[(2024, "45")] == {
        "trajectories_ended": 3, "ended_as_planned_pct": 33.3, "dropout_pct": 33.3, "ended_early_pct": 66.7,
        "satisfaction_responses": 3, "satisfaction_mean": 6.0, "self_reliance_responses": 3,
        "no_further_help_pct": 33.3, "lighter_or_no_help_pct": 66.7, "recurrence_measurable": 3,
        "no_recurrence_pct": 66.7, "reliable_improvement_pct": 50.0, "spend_eur": Decimal("4600.00"),
        "cost_per_trajectory_eur": Decimal("1533.33"), "cost_per_planned_end_eur": Decimal("4600.00"),
        "suppressed": False,
    }
    assert by_product[(2024, "54")]["spend_eur"] == Decimal("3200.00")
    assert by_product[(2024, "54")]["reliable_improvement_pct"] == 0.0
    by_provider = rows(k1, "effectiveness_by_provider", "year, provider_agb", "year = 2024")
    assert by_provider[(2024, A)] == by_product[(2024, "45")]
    assert by_provider[(2024, B)] == by_product[(2024, "54")]


def test_duration_effect(k1):
    got = rows(k1, "duration_effect", "product_category, duration_band")
    # T1 90 days and T5 29 days: <3m; T2 120 and T11 122 days: 3-6m; T4 167: 3-6m; T3 213: 6-12m
    assert {k: v["trajectories_ended"] for k, v in got.items()} == {
        ("45", "<3m"): 2, ("45", "3-6m"): 2, ("54", "3-6m"): 1, ("54", "6-12m"): 1}
    assert got[("45", "3-6m")]["ended_as_planned_pct"] == 50.0 and got[("45", "3-6m")]["dropout_pct"] == 50.0


def test_suppression_at_k10(k10):
    got = rows(k10, "effectiveness_by_municipality", "municipality_code, year")
    for values in got.values():
        assert values["suppressed"] is True
        assert all(v is None for c, v in values.items() if c != "suppressed")


def test_consistency_checks_pass_on_good_data_and_catch_a_broken_mart(k1):
    test = "effectiveness_by_municipality_adds_up"
    run_dbt(k1, "test", "--select", test)
    with k1.connect() as con:
        con.execute("UPDATE marts.effectiveness_by_municipality SET dropout_pct = 140 WHERE year = 2024")
    with pytest.raises(RuntimeError, match=rf"test\.jeugdzorg\.{test}\.\w+: fail: Got 1 result"):
        run_dbt(k1, "test", "--select", test)


def test_duration_cell_every_column(k1):
    # T1 (90 days, planned, grades 8 and 6, 04 and 02, one reliable improvement of two, restarted within
    # 182 days, 3,000) and T5 (29 days, deceased: CBS 05, no answers, 100)
    got = rows(k1, "duration_effect", "product_category, duration_band")[("45", "<3m")]
    assert got == {
        "trajectories_ended": 2, "ended_as_planned_pct": 50.0, "dropout_pct": 0.0, "ended_early_pct": 50.0,
        "satisfaction_responses": 2, "satisfaction_mean": 7.0, "self_reliance_responses": 2,
        "no_further_help_pct": 50.0, "lighter_or_no_help_pct": 100.0, "recurrence_measurable": 2,
        "no_recurrence_pct": 50.0, "reliable_improvement_pct": 50.0, "spend_eur": Decimal("3100.00"),
        "cost_per_trajectory_eur": Decimal("1550.00"), "cost_per_planned_end_eur": Decimal("3100.00"),
        "suppressed": False,
    }


MONTHLY = ("trajectories_ended", "ended_as_planned", "dropouts", "ended_early")


def monthly(wh: Warehouse) -> dict:
    with duckdb.connect(str(wh.published_db), read_only=True) as con:
        result = con.execute(f"SELECT month, year, {', '.join(MONTHLY)}, suppressed FROM marts.monthly_outcomes "
                             "WHERE municipality_code = '0141' ORDER BY month").fetchall()
    return {r[0].isoformat()[:7]: dict(zip(("year", *MONTHLY, "suppressed"), r[1:], strict=True)) for r in result}


def test_monthly_outcomes_by_month_of_ending(k1):
    got = monthly(k1)
    # one ending a month: T1 March (31: planned), T5 April (02: early), T2 May (32: dropout, which is early
    # too), T4 June (39: planned), T3 September (38: dropout), T11 January 2025 (31: planned)
    assert list(got) == ["2024-03", "2024-04", "2024-05", "2024-06", "2024-09", "2025-01"]
    assert got["2024-03"] == {"year": 2024, "trajectories_ended": 1, "ended_as_planned": 1, "dropouts": 0,
                              "ended_early": 0, "suppressed": False}
    assert got["2024-04"] == {"year": 2024, "trajectories_ended": 1, "ended_as_planned": 0, "dropouts": 0,
                              "ended_early": 1, "suppressed": False}
    assert got["2024-05"] == {"year": 2024, "trajectories_ended": 1, "ended_as_planned": 0, "dropouts": 1,
                              "ended_early": 1, "suppressed": False}
    assert got["2025-01"]["year"] == 2025 and got["2025-01"]["ended_as_planned"] == 1
    # the months of a year add up to the year's row of effectiveness_by_municipality, column by column
    with duckdb.connect(str(k1.published_db), read_only=True) as con:
        yearly = con.execute(f"SELECT year, {', '.join(MONTHLY)} FROM marts.effectiveness_by_municipality "
                             "WHERE municipality_code = '0141'").fetchall()
    for year, *figures in yearly:
        months = [m for m in got.values() if m["year"] == year]
        for column, figure in zip(MONTHLY, figures, strict=True):
            assert sum(m[column] for m in months) == figure, (year, column)
    assert sum(m["trajectories_ended"] for m in got.values() if m["year"] == 2024) == 5


def test_monthly_outcomes_hide_a_year_of_months_together_at_k10(k10):
    got = monthly(k10)
    assert got  # the months have rows, keys only
    for values in got.values():
        assert values["suppressed"] is True
        assert all(values[c] is None for c in MONTHLY)
