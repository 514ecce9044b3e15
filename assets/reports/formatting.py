"""Dutch number, money and period formatting: one place, so the text, the tables and the tests
format a value the same way (`1.960,48`, `€ 2.897.587`, `68,7%`)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
# A figure that rests on fewer cases than this is shown with its n and "klein aantal", never as a
# confident number; below k (JEUGDZORG_MIN_CELL_SIZE) the file itself shows nothing.
SMALL_N = 30


def number(value: float | int | Decimal, decimals: int = 0) -> str:
    """1234567.891 -> '1.234.567,89' (decimals=2): dots between thousands, a decimal comma,
    rounded half up as a person would round."""
    quant = Decimal(1).scaleb(-decimals)
    d = Decimal(str(value)).quantize(quant, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{frac}" if decimals else f"{sign}{text}"


def euro(value: float | Decimal, decimals: int = 0) -> str:
    """'€ 2.897.587'; a negative amount: '€ -45.019'."""
    return f"€{NBSP}{number(value, decimals)}"


def euro_signed(value: float | Decimal) -> str:
    """A change: '+€ 612.837' or '-€ 45.019'."""
    return f"{'+' if value >= 0 else '-'}€{NBSP}{number(abs(value))}"


def pct(value: float, decimals: int = 1) -> str:
    return f"{number(value, decimals)}%"


def pct_signed(value: float, decimals: int = 1) -> str:
    return f"{'+' if value >= 0 else ''}{number(value, decimals)}%"


def grade(value: float) -> str:
    return number(value, 1)


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


# The formats a figure is printed in, by name: the figure list beside each letter names one, so a
# test can format the value its query returns and compare it with the printed text.
FORMATS = {
    "int": number,
    "dec1": lambda v: number(v, 1),
    "dec2": lambda v: number(v, 2),
    "dec3": lambda v: number(v, 3),
    "euro": euro,
    "euro2": lambda v: euro(v, 2),
    "euro_signed": euro_signed,
    "pct": pct,
    "pct_signed": pct_signed,
    "grade": grade,
}
