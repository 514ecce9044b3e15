"""The report period (JEUGDZORG_REPORT_PERIOD = year | quarter | month) and the names of the files.

A report covers the latest complete period in the published file: the year (or quarter) whose last
day the data reaches (`about.data_through`). The marts hold years, so a quarter report shows the
year so far (1 January up to the quarter's end) next to the monthly figures of the quarter. A month
report is the short monthly letter: the month against the same month a year before.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from assets.reports.formatting import MONTHS

QUARTER_WORDS = ("eerste", "tweede", "derde", "vierde")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # "year" | "quarter" | "month"
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def label(self) -> str:
        """The folder and file-name part: '2025', '2025-K4' (K for kwartaal) or '2025-12'."""
        if self.month is not None:
            return f"{self.year}-{self.month:02d}"
        return str(self.year) if self.quarter is None else f"{self.year}-K{self.quarter}"

    @property
    def title(self) -> str:
        if self.month is not None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year) if self.quarter is None else f"{QUARTER_WORDS[self.quarter - 1]} kwartaal {self.year}"

    @property
    def first_day(self) -> date:
        if self.month is not None:
            return date(self.year, self.month, 1)
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        if self.month is not None:
            return (date(self.year + self.month // 12, self.month % 12 + 1, 1)) - timedelta(days=1)
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)


def _is_quarter_end(d: date) -> bool:
    return (d + timedelta(days=1)).day == 1 and d.month in (3, 6, 9, 12)


def period_for(kind: str, data_through: date) -> ReportPeriod:
    """The latest period that `data_through` covers completely (the one it falls in when no period is
    complete yet would be an empty report: then the one before)."""
    if kind == "year":
        complete = data_through.month == 12 and data_through.day == 31
        return ReportPeriod("year", data_through.year if complete else data_through.year - 1)
    if kind == "quarter":
        q = (data_through.month - 1) // 3 + 1
        if not _is_quarter_end(data_through):
            q -= 1
        return ReportPeriod("quarter", data_through.year, q) if q else ReportPeriod("quarter", data_through.year - 1, 4)
    if kind == "month":
        last = data_through if (data_through + timedelta(days=1)).day == 1 else data_through.replace(day=1) - timedelta(
            days=1)
        return ReportPeriod("month", last.year, month=last.month)
    raise ValueError(f"report period must be 'year', 'quarter' or 'month', got {kind!r}")


def slug(text: str) -> str:
    """'Hengelo (O.)' -> 'Hengelo_O', 'Súdwest-Fryslân' -> 'Sudwest-Fryslan': safe in a file name and
    a Dagster partition key, still readable for a clerk."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9-]+", "_", ascii_text)).strip("_")


def cbs_code(code: str) -> str:
    """A municipality's CBS code as CBS writes it: 'GM0141'."""
    return f"GM{code}"


def municipality_key(code: str, name: str) -> str:
    """The partition key of a municipality, 'GM0141_Almelo': its CBS code, which stays when a
    municipality is renamed, then its name, so that the UI's list of partitions reads as names."""
    return f"{cbs_code(code)}_{slug(name)}"


def region_key(region: str) -> str:
    return f"regio_{slug(region)}"


def file_stem(period: ReportPeriod, partition_key: str) -> str:
    """'raadsinformatiebrief_2025_GM0141_Almelo' and 'raadsinformatiebrief_2025_regio_Twente'."""
    return f"raadsinformatiebrief_{period.label}_{partition_key}"
