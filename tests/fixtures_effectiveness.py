"""A hand-made youth-care world where every effectiveness number is known (see the test for the sums)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from demo_data.bsn import synthetic_bsn
from demo_data.writers import DECLARATION_COLUMNS, SURVEY_COLUMNS

A, B = "11111111", "22222222"


def bsn(client: str) -> str:
    return synthetic_bsn(f"fixture/{client}")


# allocation: (municipality, client, provider, category, start, end, end_reason, euros per month, first, last month)
TRAJECTORIES = {
    "1": ("0141", "c1", A, "45", "2024-01-01", "2024-03-31", "31", 1000, (2024, 1), (2024, 3)),
    "2": ("0141", "c2", A, "45", "2024-02-01", "2024-05-31", "32", 500, (2024, 2), (2024, 5)),
    "3": ("0141", "c3", B, "54", "2024-03-01", "2024-09-30", "38", 200, (2024, 3), (2024, 9)),
    "4": ("0141", "c4", B, "54", "2024-01-15", "2024-06-30", "39", 300, (2024, 1), (2024, 6)),
    "5": ("0141", "c5", A, "45", "2024-04-01", "2024-04-30", "02", 100, (2024, 4), (2024, 4)),
    "6": ("0141", "c6", A, "45", "2024-05-01", "2024-05-15", "20", 100, (2024, 5), (2024, 5)),
    "7": ("0141", "c7", A, "45", "2024-05-01", "2024-05-15", "36", 100, (2024, 5), (2024, 5)),
    "8": ("0141", "c8", A, "45", "2024-05-01", "2024-05-15", "37", 100, (2024, 5), (2024, 5)),
    # c1 starts again elsewhere 154 days after T1 ended: recurrence for T1; runs to the cut-off
    "9": ("0147", "c1", B, "54", "2024-09-01", None, None, 100, (2024, 9), (2025, 6)),
    # c2 starts again 183 days after T2 ended: just outside the 182-day window
    "10": ("0141", "c2", A, "45", "2024-11-30", None, None, 100, (2024, 11), (2024, 11)),
    # ends too close to the cut-off (2025-06-30) for recurrence to be measured
    "11": ("0141", "c9", A, "45", "2024-10-01", "2025-01-31", "31", 100, (2024, 10), (2025, 1)),
}

# allocation, informant, satisfaction, self-reliance, instrument, score begin, score end
RESPONSES = [
    ("1", "ouder", 8, "04", "SDQ", 20, 10),  # improved by 10 > 6.82: reliable improvement
    ("1", "jeugdige", 6, "02", "SDQ", 20, 18),  # improved by 2: not reliable
    ("2", "ouder", 4, "01", "", "", ""),
    ("3", "ouder", 7, "03", "", "", ""),
    ("4", "jeugdige", 9, "04", "SDQ", 15, 22),  # reliably worse: not an improvement
    ("5", "ouder", "", "", "", "", ""),
    ("6", "ouder", 9, "04", "", "", ""),
    ("7", "ouder", 9, "04", "", "", ""),
    ("8", "ouder", 9, "04", "", "", ""),
    ("11", "ouder", 7, "", "", "", ""),
]


def _month_end(y: int, m: int) -> date:
    return (date(y + m // 12, m % 12 + 1, 1) - date.resolution) if m < 12 else date(y, 12, 31)


def write_fixture(raw: Path) -> None:
    (raw / "reference").mkdir(parents=True, exist_ok=True)
    (raw / "reference/instrument_norms.csv").write_text("instrument,lower_is_better,sd,reliability\nSDQ,true,5.5,0.8\n")
    (raw / "reference/providers.csv").write_text(f"aanbieder_agb,naam\n{A},Aanbieder A\n{B},Aanbieder B\n")
    lines = []
    for alloc, (muni, client, agb, cat, start, end, _, euros, first, last) in TRAJECTORIES.items():
        y, m = first
        while (y, m) <= last:
            begin = max(date(y, m, 1), date.fromisoformat(start))
            stop = _month_end(y, m) if end is None else min(_month_end(y, m), date.fromisoformat(end))
            lines.append({"declaratienummer": "D1", "aanbieder_agb": agb, "gemeentecode": muni, "bsn": bsn(client),
                          "referentienummer": f"R{alloc}-{y}{m:02d}", "vorig_referentienummer": "",
                          "toewijzingnummer": alloc, "productcategorie": cat, "productcode": f"{cat}X",
                          "product_begindatum": begin.isoformat(), "product_einddatum": stop.isoformat(),
                          "geleverd_volume": "10", "eenheid": "04", "producttarief": str(euros * 10),
                          "ingediend_bedrag": str(euros * 100), "debet_credit": "D"})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    # T2's May line is reversed by a credit sent later: T2 costs 1,500 instead of 2,000
    may = next(ln for ln in lines if ln["referentienummer"] == "R2-202405")
    credit = {**may, "referentienummer": "C2-202405", "vorig_referentienummer": "R2-202405", "debet_credit": "C"}
    (raw / "declarations").mkdir(parents=True, exist_ok=True)
    for name, rows in (("a_declarations.csv", lines), ("b_credit.csv", [credit])):
        with (raw / "declarations" / name).open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(DECLARATION_COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    (raw / "surveys").mkdir(parents=True, exist_ok=True)
    with (raw / "surveys/outcomes.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(SURVEY_COLUMNS)
        for i, (alloc, informant, sat, self_rel, instrument, b, e) in enumerate(RESPONSES):
            muni, client, agb, cat, start, end, reason, *_ = TRAJECTORIES[alloc]
            writer.writerow([f"S{i}", agb, muni, bsn(client), alloc, cat, "02", start, end, reason, informant,
                             end, sat, self_rel, instrument, b, e])
