"""The fair comparison of providers (case_mix_model, provider_adjusted_outcomes) against numbers worked
out by hand.

70 trajectories of municipality 0141 end in 2024, all with the same age band (no care messages:
'onbekend'), sex, referrer (01) and duration band (3-6m); only the product category differs. With
one factor the logistic model's fit is the category's own rate (maximum likelihood), so:
- category 45: 40 trajectories, 24 planned (0.6), 8 dropouts (0.2);
- category 43: 30 trajectories, 12 planned (0.4), 12 dropouts (0.4).
Provider A: 30 of 45 (19 planned, 4 dropouts) and 5 of 43 (2 planned, 3 dropouts).
Provider B: 10 of 45 (5 planned, 4 dropouts) and 25 of 43 (10 planned, 9 dropouts).
Expected dropouts A = 30 x 0.2 + 5 x 0.4 = 8, observed 7, ratio 0.875; B = 10 x 0.2 + 25 x 0.4 = 12,
observed 13, ratio 1.083. Expected planned A = 30 x 0.6 + 5 x 0.4 = 20, observed 21, ratio 1.05;
B = 6 + 10 = 16, observed 15, ratio 0.9375. The file's dropout rate r = 20 / 70, published as 28.6 %.
Limits for n = 35 (two providers: no overdispersion, phi = 1) from the provider's own expected number:
1 +- z sqrt(1 / E - 1 / n). Dropout A (E = 8): sqrt(0.125 - 0.028571) = 0.31053, so 95 %: 0.391-1.609,
99.8 %: 0.040-1.960; B (E = 12): sqrt(0.083333 - 0.028571) = 0.23401, 95 %: 0.541-1.459, 99.8 %:
0.277-1.723. A's children drop out less often than B's (8 / 35 against 12 / 35), so its ratio is less
certain and its limits are wider.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo_data.bsn import synthetic_bsn
from demo_data.writers import DECLARATION_COLUMNS, SURVEY_COLUMNS
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY

A, B = "11111111", "22222222"
# provider, category, planned, dropouts, other endings (CBS 02, in agreement)
GROUPS = ((A, "45", 19, 4, 7), (A, "43", 2, 3, 0), (B, "45", 5, 4, 1), (B, "43", 10, 9, 6))
REASON = {"planned": "31", "dropout": "32", "other": "34"}


def write_world(raw: Path) -> None:
    (raw / "reference").mkdir(parents=True)
    (raw / "reference/providers.csv").write_text(f"aanbieder_agb,naam\n{A},Aanbieder A\n{B},Aanbieder B\n")
    (raw / "declarations").mkdir()
    (raw / "surveys").mkdir()
    with (raw / "declarations/d.csv").open("w", newline="") as d, (raw / "surveys/s.csv").open("w", newline="") as s:
        lines, records = csv.DictWriter(d, fieldnames=list(DECLARATION_COLUMNS)), csv.writer(s)
        lines.writeheader()
        records.writerow(SURVEY_COLUMNS)
        n = 0
        for agb, category, *counts in GROUPS:
            for kind, count in zip(REASON, counts, strict=True):
                for _ in range(count):
                    n += 1
                    bsn = synthetic_bsn(f"funnel/{n}")
                    lines.writerow({"declaratienummer": "D1", "aanbieder_agb": agb, "gemeentecode": "0141", "bsn": bsn,
                                    "referentienummer": f"R{n}", "vorig_referentienummer": "", "toewijzingnummer": n,
                                    "productcategorie": category, "productcode": f"{category}X",
                                    "product_begindatum": "2024-02-01", "product_einddatum": "2024-02-29",
                                    "geleverd_volume": "1", "eenheid": "04", "producttarief": "10000",
                                    "ingediend_bedrag": "10000", "debet_credit": "D"})
                    records.writerow([f"S{n}", agb, "0141", bsn, n, category, "01", "2024-02-01", "2024-05-31",
                                      REASON[kind], "ouder", "2024-05-31", 7, "", "", "", ""])


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("funnel")
    write_world(data_dir / "raw")
    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=TEST_KEY, min_cell_size=1)
    assert dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": wh}).success
    with duckdb.connect(str(wh.published_db), read_only=True) as con:
        yield con


def test_the_model_gives_each_category_its_own_rate(published):
    """A trajectory's expected probability, recomputed from the published coefficients alone."""
    coef = {(o, f, lv): b for o, f, lv, b in published.execute(
        "SELECT outcome, factor, level, coefficient FROM marts.case_mix_model").fetchall()}
    levels = {"age_band": "onbekend", "sex": "onbekend", "referrer": "01", "duration_band": "3-6m"}
    for outcome, rate45, rate43 in (("dropout", 0.2, 0.4), ("ended_as_planned", 0.6, 0.4)):
        for category, rate in (("45", rate45), ("43", rate43)):
            logit = coef[(outcome, "intercept", "")] + coef[(outcome, "product_category", category)] + sum(
                coef[(outcome, f, lv)] for f, lv in levels.items())
            assert 1 / (1 + math.exp(-logit)) == pytest.approx(rate, abs=1e-6)
    # the reference level is the commonest (45: 40 of 70) and has coefficient 0
    assert published.execute("""SELECT level, coefficient FROM marts.case_mix_model
        WHERE outcome = 'dropout' AND factor = 'product_category' AND is_reference""").fetchall() == [("45", 0.0)]


def test_observed_expected_ratio_and_limits_per_provider(published):
    rows = {r[0]: r[1:] for r in published.execute("""
        SELECT provider_agb, trajectories_ended, dropouts, expected_dropouts, dropout_ratio, dropout_lower_998,
               dropout_lower_95, dropout_upper_95, dropout_upper_998, dropout_signal, dropout_reference_pct,
               dropout_overdispersion, ended_as_planned, expected_planned, planned_ratio, planned_signal
        FROM marts.provider_adjusted_outcomes
        WHERE area_level = 'municipality' AND area_code = '0141' AND period = '2024'""").fetchall()}
    def limits(expected: float) -> tuple[float, ...]:
        s = math.sqrt(1 / expected - 1 / 35)
        return (round(1 - 3.090232 * s, 3), round(1 - 1.959964 * s, 3), round(1 + 1.959964 * s, 3),
                round(1 + 3.090232 * s, 3))

    assert limits(8.0) == (0.04, 0.391, 1.609, 1.96) and limits(12.0) == (0.277, 0.541, 1.459, 1.723)
    assert rows[A][:4] == (35, 7, pytest.approx(8.0, abs=1e-4), 0.875)
    assert rows[B][:4] == (35, 13, pytest.approx(12.0, abs=1e-4), 1.083)
    for agb, planned, expected, ratio, dropouts_expected in ((A, 21, 20.0, 1.05, 8.0), (B, 15, 16.0, 0.938, 12.0)):
        # from the row's own expected number as published (6 decimals): the figures a reviewer recomputes
        assert rows[agb][4:8] == limits(rows[agb][2]) == limits(dropouts_expected)
        assert rows[agb][8:] == ("within", round(100 * 20 / 70, 1), 1.0, planned, pytest.approx(expected, abs=1e-4),
                                 pytest.approx(ratio, abs=1e-3), "within")
    # ended as planned has its own expected numbers, so its own limits: A (E = 20) sqrt(1/20 - 1/35) = 0.14639,
    # 95 %: 0.713-1.287; B (E = 16) sqrt(1/16 - 1/35) = 0.18419, 95 %: 0.639-1.361
    planned = dict(published.execute("""
        SELECT provider_agb, (planned_lower_998, planned_lower_95, planned_upper_95, planned_upper_998)
        FROM marts.provider_adjusted_outcomes
        WHERE area_level = 'municipality' AND area_code = '0141' AND period = '2024'""").fetchall())
    assert planned[A] == limits(20.0) and planned[A][1:3] == (0.713, 1.287)
    assert planned[B] == limits(16.0) and planned[B][1:3] == (0.639, 1.361)
    # all municipalities hold the same trajectories here as 0141: the same figures
    same = published.execute("""
        SELECT count(DISTINCT (dropouts, expected_dropouts, dropout_upper_95)) FROM marts.provider_adjusted_outcomes
        WHERE period = '2024' GROUP BY provider_agb""").fetchall()
    assert same == [(1,), (1,)]
