"""Looking up the loaded data (assets/reports/data.py): a measure's row in a year, whether a value
is shown, and how the letters name and print a measure (from the published dimension of measures)."""

from __future__ import annotations


def at(bench: dict, measure: str, year: int) -> dict | None:
    return bench.get(measure, {}).get(year)


def filled(row: dict | None, column: str = "value") -> bool:
    return row is not None and row.get(column) is not None


def measures_in(d: dict, name: str) -> list[str]:
    """The measures of a family (queries/measures.sql: measure_group), in their order."""
    return [m for m, r in d["measures"].items() if r["measure_group"] == name]


def outcomes_of(d: dict) -> list[str]:
    """The outcome measures, in their order."""
    return measures_in(d, "outcome")


def name_of(d: dict, measure: str) -> str:
    """How the letters name a measure in a table's row (queries/measures.sql: letter_label)."""
    return d["measures"][measure]["letter_label"]


def short_of(d: dict, measure: str) -> str:
    """A measure as a column's header where a letter sets municipalities or years side by side
    (queries/measures.sql: letter_short)."""
    return d["measures"][measure]["letter_short"]


def widths(headers: list[str], base: float, wide: float) -> list[float]:
    """The widths of a table's measure columns: `wide` for a header too long for `base` (over 40
    characters), so a long header wraps on two lines rather than four."""
    return [wide if len(h) > 40 else base for h in headers]


def fmt(d: dict, measure: str) -> str:
    """The format a letter prints a measure's value in (queries/measures.sql: letter_format)."""
    return d["measures"][measure]["letter_format"]
