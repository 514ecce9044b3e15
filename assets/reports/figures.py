"""Every figure a letter prints passes through `Figures`, which formats it and writes down the
query that returns it from the published file, so the letter's figure list (beside the PDF) explains
every number in it. Where a value is missing the letter prints "–" with the true reason in words
(hidden to protect small numbers, not measured, or no data yet), never 0."""

from __future__ import annotations

import re
from typing import Any

from assets.reports.data import trace_sql
from assets.reports.formatting import FORMATS

DASH = "–"
# why a value is missing, as the letter says it; the begrippenlijst explains each
MISSING = {"hidden": "verborgen", "not_measured": "niet gemeten", "no_data": "nog geen gegevens"}
MISSING_MEANING = {
    "hidden": "het cijfer rust op zo weinig kinderen of gezinnen dat iemand herkenbaar zou kunnen worden, of het zou "
              "zo'n klein aantal laten terugrekenen; het wordt daarom niet getoond",
    "not_measured": "er is niets gemeten waarop het cijfer kan rusten (bijvoorbeeld geen ingevulde vragenlijst of "
                    "geen traject dat lang genoeg geleden eindigde)",
    "no_data": "de gegevens bevatten hier (nog) niets over: er is niet gedeclareerd of het jaar is nog niet "
               "aangeleverd",
}
_NUMBER = re.compile(r"\d")


class Figures:
    """Formats every figure the letter prints and writes down what it is: the text exactly as
    printed, the query that returns its value from the published file, and the format that turns
    that value into the text. Names and fixed wording that hold digits are written down too, so a
    test can account for every number in the PDF's text."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def val(self, row: dict | None, column: str, kind: str, count: str | None = None,
            empty: str = "hidden") -> str:
        """`row[column]` as printed; "– <reason>" when it is missing: no row is no data, a
        suppressed row is hidden. An empty value in a shown row: not measured when `count` (the
        column of the same row that says how many cases were measured) is 0, else `empty` (hidden
        by disclosure control, unless the column is one the file never hides)."""
        if row is None:
            return self.missing("no_data", None, kind)
        value = row.get(column)
        if value is None:
            reason = ("hidden" if row.get("suppressed")
                      else "not_measured" if count is not None and row.get(count) == 0 else empty)
            return self.missing(reason, trace_sql(row, column), kind)
        return self._record(FORMATS[kind](value), trace_sql(row, column), kind, value)

    def calc(self, result: dict, kind: str, empty: str = "hidden") -> str:
        """A figure computed by its own query (a total, a count: data.scalar); `empty`: why it is
        missing when it is (hidden, unless the caller knows better)."""
        if result["value"] is None:
            return self.missing(empty, result["sql"], kind)
        return self._record(FORMATS[kind](result["value"]), result["sql"], kind, result["value"])

    def name(self, text: str | None, fallback: str) -> str:
        """A name (municipality, provider, intervention) as printed; the reference data may not name
        it: then the fallback, which says so."""
        printed = text if text else fallback
        if _NUMBER.search(printed):
            self.items.append({"text": printed, "kind": "name"})
        return printed

    def const(self, text: str, why: str) -> str:
        """Fixed wording that holds a number (a legal threshold, a band), with why it is fixed."""
        self.items.append({"text": text, "kind": "wording", "why": why})
        return text

    def _record(self, text: str, sql: str, kind: str, value: Any) -> str:
        self.items.append({"text": text, "kind": "figure", "format": kind, "sql": sql, "value": value})
        return text

    def missing(self, reason: str, sql: str | None, kind: str) -> str:
        text = f"{DASH} {MISSING[reason]}"
        self.items.append({"text": text, "kind": "missing", "reason": reason, "format": kind, "sql": sql})
        return text
