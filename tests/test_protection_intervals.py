"""The interval attacker (assets/disclosure/intervals.py) on small files whose intervals are worked
out by hand: what it bounds, and the targets it judges them by."""

from __future__ import annotations

import duckdb
import pytest

from assets.disclosure import intervals
from assets.disclosure.intervals import Targets, interval_leaks
from foundation.settings import SettingsError, load_settings


def _file(cells: list[tuple], sums: dict[str, list[tuple[str, float]]], orders: list[tuple] = (),
          bounds: dict[str, list[tuple[str, float]]] | None = None, signed: tuple[str, ...] = (),
          rounding: dict[str, float] | None = None) -> duckdb.DuckDBPyConnection:
    """A connection holding what cells.load would build: `cells` as (name, value or None, secret,
    money); every cell keyed (name, 'x', '2025', ''); sums as {iid: [(name, coef)]} adding to 0;
    bounds the same for distinct counts (subsums); orders as (name, other, coef, other_coef):
    coef * name + other_coef * other <= 0; `signed` the cells that may be below zero; `rounding` how
    far a shown value may be off (a derived value's Pub.rounding)."""
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE keys (q VARCHAR, a VARCHAR, b VARCHAR, c VARCHAR, value DOUBLE, known BOOLEAN, "
                "secret BOOLEAN, money BOOLEAN, signed BOOLEAN, err DOUBLE)")
    con.executemany("INSERT INTO keys VALUES (?, 'x', '2025', '', ?, ?, ?, ?, ?, ?)",
                    [(q, v, v is not None, secret, money, q in signed, (rounding or {}).get(q, 0.0))
                     for q, v, secret, money in cells])
    for table in ("identities", "subsums"):
        con.execute(f"CREATE TEMP TABLE {table} (iid VARCHAR, q VARCHAR, a VARCHAR, b VARCHAR, c VARCHAR, "
                    "coef DOUBLE)")
    for table, relations in (("identities", sums), ("subsums", bounds or {})):
        if relations:
            con.executemany(f"INSERT INTO {table} VALUES (?, ?, 'x', '2025', '', ?)",
                            [(iid, q, coef) for iid, terms in relations.items() for q, coef in terms])
    con.execute("CREATE TEMP TABLE orders (q VARCHAR, a VARCHAR, b VARCHAR, c VARCHAR, wq VARCHAR, coef DOUBLE, "
                "wcoef DOUBLE)")
    if orders:
        con.executemany("INSERT INTO orders VALUES (?, 'x', '2025', '', ?, ?, ?)", list(orders))
    return con


def _leaks(con: duckdb.DuckDBPyConnection, k: int = 10) -> dict[str, tuple[float, float]]:
    found = interval_leaks(con, Targets(k), set())
    return {q: (round(lo, 2), round(hi, 2)) for q, lo, hi in zip(found.q, found.value, found.high, strict=True)}


def test_an_order_between_counts_narrows_a_hidden_count_that_no_sum_pins_down():
    """Dropouts 12 = A + B, both hidden. A is at most its early endings (3), B at most its own (10):
    A lies in [2, 3], a width of 1 where k = 10 asks for 5, and at least 2 children are shown in it."""
    cells = [("A", None, True, False), ("B", None, False, False), ("T", 12.0, False, False),
             ("EA", 3.0, False, False), ("EB", 10.0, False, False)]
    orders = [("A", "EA", 1.0, -1.0), ("B", "EB", 1.0, -1.0)]
    con = _file(cells, {"sum|T": [("A", 1), ("B", 1), ("T", -1)]}, orders)
    assert _leaks(con) == {"A": (2.0, 3.0)}
    # at k = 2 a width of 1 is enough
    assert _leaks(con, k=2) == {}


def test_a_hidden_count_whose_interval_can_start_at_zero_is_safe():
    """The same, with B's early endings hidden too and only bounded by B's 20 endings: A can be 0."""
    cells = [("A", None, True, False), ("B", None, False, False), ("T", 12.0, False, False),
             ("EA", 3.0, False, False), ("EB", None, False, False), ("NB", 20.0, False, False)]
    orders = [("A", "EA", 1.0, -1.0), ("B", "EB", 1.0, -1.0), ("EB", "NB", 1.0, -1.0)]
    con = _file(cells, {"sum|T": [("A", 1), ("B", 1), ("T", -1)]}, orders)
    assert _leaks(con) == {}


def test_a_hidden_amount_must_stay_uncertain_by_fifteen_percent_either_way():
    """Spend 1,000 = X + Y and Y + V = 100, all hidden: X lies in [900, 1,000], no wider than 100
    where +-15 % asks for 0.15 x 1,900 = 285. With Y + V = 400 it lies in [600, 1,000]: safe."""
    cells = [("X", None, True, True), ("Y", None, False, True), ("V", None, False, True),
             ("T", 1000.0, False, True), ("S", 100.0, False, True)]
    sums = {"sum|T": [("X", 1), ("Y", 1), ("T", -1)], "sum|S": [("Y", 1), ("V", 1), ("S", -1)]}
    found = _leaks(_file(cells, sums))
    assert set(found) == {"X"}
    lo, hi = found["X"]
    # each sum of money holds to within a euro (amounts rounded to the cent): X lies in [898, 1,001]
    assert (lo, hi) == (898, 1001)
    cells[4] = ("S", 400.0, False, True)
    assert _leaks(_file(cells, sums)) == {}
    # a looser target lets the narrow one pass: 100 >= 5 % of 1,900
    assert interval_leaks(_file([*cells[:4], ("S", 100.0, False, True)], sums), Targets(10, money_pct=5.0),
                          set()).empty


def test_a_change_below_zero_is_held_to_the_same_margin():
    """A signed change C with C + X = -850 and X + Y = 50 (X, Y at least 0): C lies in [-900, -850],
    as narrow as its mirror [850, 900] would be."""
    cells = [("C", None, True, True), ("X", None, False, True), ("Y", None, False, True),
             ("K", -850.0, False, True), ("S", 50.0, False, True)]
    sums = {"sum|K": [("C", 1), ("X", 1), ("K", -1)], "sum|S": [("X", 1), ("Y", 1), ("S", -1)]}
    found = _leaks(_file(cells, sums, signed=("C",)))
    assert set(found) == {"C"} and found["C"] == (-902.0, -849.0)


def test_distinct_counts_bound_their_parts():
    """Clients are distinct children: 12 in total, at most the parts' sum and at least each part.
    With part B at most 3 (its early endings), part A lies in [9, 12]."""
    cells = [("A", None, True, False), ("B", None, False, False), ("T", 12.0, False, False), ("EB", 3.0, False, False)]
    bounds = {"sum|T": [("A", 1), ("B", 1), ("T", -1)]}
    found = _leaks(_file(cells, {}, [("B", "EB", 1.0, -1.0)], bounds=bounds))
    assert found == {"A": (9.0, 12.0)}


def test_the_targets_are_settings_with_documented_defaults():
    base = {"JEUGDZORG_DATA_DIR": "/tmp/x"}
    s = load_settings(base)
    assert (s.protection_money_pct, s.protection_count_share_of_k) == (15.0, 0.5)
    s = load_settings({**base, "JEUGDZORG_PROTECTION_MONEY_PCT": "20,5", "JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K": "1"})
    assert (s.protection_money_pct, s.protection_count_share_of_k) == (20.5, 1.0)
    with pytest.raises(SettingsError, match="JEUGDZORG_PROTECTION_MONEY_PCT must lie between 1 and 50"):
        load_settings({**base, "JEUGDZORG_PROTECTION_MONEY_PCT": "0"})
    with pytest.raises(SettingsError, match="JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K must be a number"):
        load_settings({**base, "JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K": "half"})
    assert Targets(20).count_width == 10 and Targets(5, count_share_of_k=1.0).count_width == 5


def test_the_checks_interior_point_start_finds_what_the_simplex_finds(monkeypatch):
    """The blocking check (verdict=True) starts a large programme of step (1) with the interior point
    method; its vertex differs from the simplex's, its verdicts must not. Twenty copies of the first
    test's file, every other one with B's early endings hidden as in the second (safe): the copies
    whose A lies in [2, 3] leak, the others not, whichever method starts."""
    cells, sums, orders = [], {}, []
    for n in range(20):
        cells += [(f"A{n}", None, True, False), (f"B{n}", None, False, False), (f"T{n}", 12.0, False, False),
                  (f"EA{n}", 3.0, False, False), (f"EB{n}", None if n % 2 else 10.0, False, False),
                  (f"NB{n}", 20.0, False, False)]
        sums[f"sum|T{n}"] = [(f"A{n}", 1), (f"B{n}", 1), (f"T{n}", -1)]
        orders += [(f"A{n}", f"EA{n}", 1.0, -1.0), (f"B{n}", f"EB{n}", 1.0, -1.0), (f"EB{n}", f"NB{n}", 1.0, -1.0)]
    monkeypatch.setattr(intervals, "IPM_CELLS", 0)
    found = {}
    for verdict in (False, True):
        leaks = interval_leaks(_file(cells, sums, orders), Targets(10), set(), verdict=verdict)
        found[verdict] = {q: (round(lo, 2), round(hi, 2)) for q, lo, hi in zip(leaks.q, leaks.value, leaks.high,
                                                                                strict=True)}
    assert found[True] == found[False] == {f"A{n}": (2.0, 3.0) for n in range(0, 20, 2)}


def test_a_total_derived_from_a_rounded_rate_still_pins_down_a_hidden_amount_to_its_rounding():
    """A provider's spend on ended care published as cost per trajectory (to the cent) times 2,800
    trajectories: EUR 1,000,000 give or take EUR 14 (half a cent each). Its parts: 900,000 shown,
    H hidden. The sum holds to the stored amounts' cents plus those EUR 14, so H lies in
    100,000 +- 14.03: the attacker still narrows it far below +-15 % (at real size such totals were
    off by more than the euro a sum of stored amounts holds to, and their sums were left out)."""
    cells = [("H", None, True, True), ("P", 900_000.0, False, True), ("T", 1_000_000.0, False, True)]
    con = _file(cells, {"sum|T": [("H", 1), ("P", 1), ("T", -1)]}, rounding={"T": 0.005 * 2_800})
    assert _leaks(con) == {"H": (99_985.97, 100_014.03)}
