"""The attacker: everything a BI user can work out from the published file about a suppressed cell.

It knows what `cells.py` writes down: every figure the file shows, which cells are empty because
they describe fewer than k clients (secret), the sums that tie cells together and the published
ratios. A secret cell leaks when:
- another table shows it (`shown_elsewhere`);
- the sums pin it down exactly, alone or together (`exact`): the sums are peeled, then the core
  is solved per group of empty cells that share a sum (a cell is determined when every solution
  of the sums gives it the same value, i.e. its coordinates in the null space are zero);
- one sum leaves so little room that, all values being at least zero, it is known to within the
  tolerance (`within`): a few euros for money, nothing for a count;
- a published ratio (year-on-year change, share) gives it from its known partner (`ratio`);
- a concentration figure stands beside a hidden provider of its municipality-year (`nonlinear`);
- the models hid it as a small cell and the file shows it anyway (`primary_shown`);
- all of the file at once, with the bounds and orders between counts, leaves it an interval
  narrower than the protection targets (`interval`, intervals.py: a count must keep an interval
  that starts at 0 or is k/2 wide, an amount +-15 %).
A cell worked back as zero is not a disclosure: nobody can be shown to be in it (the data
contract's standard: a hidden count is safe when its interval starts at 0, and +-15 % of no
euros is none).
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd

from assets.disclosure.intervals import Targets, component_labels, interval_leaks

TOLERANCE_EUR = 5.0  # "to within a few euros"
TOLERANCE_COUNT = 0.5  # a count is recovered when it is known exactly
NULL_TOL = 1e-7
DETERMINED = 1e-9  # a combination whose squared length outside the sums' row space is below this is known
# decompositions of the core groups' sums, kept across calls: the rounds of suppression change few
# groups, and the outcome counts of a breakdown share one shape (bounded: emptied when full)
_DECOMPOSITIONS: dict[bytes, tuple] = {}
_MAX_DECOMPOSITIONS = 5000


def find_leaks(con: duckdb.DuckDBPyConnection, targets: Targets, suspects: set[tuple] | None = None,
               primary: frozenset[tuple] | None = None, verdict: bool = False) -> pd.DataFrame:
    """Every secret cell the attacker recovers or narrows too far, with how (`cells.load` must have
    run on `con`). Columns: q, a, b, c, how, detail, value (what it recovers, or the lower bound of
    its interval), high (the upper bound). Every hidden cell must not be worked back; the primary
    ones (`primary`: hidden by the models for fewer than k clients; None: every hidden cell) must
    also keep their protection interval. `suspects`: bound the intervals of these cells only (the
    suppression's later rounds, `suppress.protect`). `verdict`: only whether anything leaks counts, not
    which sum binds a narrowed cell (the check: intervals.IPM_CELLS)."""
    found = [
        con.execute("""
            SELECT q, a, b, c, 'shown_elsewhere' AS how, any_value(p.tbl || '.' || p.col) AS detail,
                   any_value(p.value) AS value
            FROM keys JOIN pub AS p USING (q, a, b, c)
            WHERE keys.secret AND p.value IS NOT NULL GROUP BY ALL""").df(),
        # the side that is empty is the one given away: no join through a CASE, which DuckDB can only
        # run as a nested loop (quadratic in the cells: 30 minutes at national scale)
        con.execute("""
            SELECT n.q, n.a, n.b, n.c, 'ratio' AS how, r.tbl || '.' || r.col AS detail, NULL::DOUBLE AS value
            FROM ratios AS r
            JOIN keys AS n ON (n.q, n.a, n.b, n.c) = (r.nq, r.na, r.nb, r.nc)
            JOIN keys AS d ON (d.q, d.a, d.b, d.c) = (r.dq, r.da, r.db, r.dc)
            WHERE d.known AND NOT n.known AND n.secret
            UNION ALL
            SELECT d.q, d.a, d.b, d.c, 'ratio', r.tbl || '.' || r.col, NULL
            FROM ratios AS r
            JOIN keys AS n ON (n.q, n.a, n.b, n.c) = (r.nq, r.na, r.nb, r.nc)
            JOIN keys AS d ON (d.q, d.a, d.b, d.c) = (r.dq, r.da, r.db, r.dc)
            WHERE n.known AND NOT d.known AND d.secret""").df(),
        _within(con),
        _exact(con),
        _nonlinear(con),
        _primary_shown(con, primary if suspects is None else None),  # suppression only ever hides more
    ]
    leaks = pd.concat(found, ignore_index=True)
    leaks = leaks.sort_values(["q", "a", "b", "c", "how"]).drop_duplicates(["q", "a", "b", "c"])
    # a cell worked back as zero is no disclosure: an interval that starts at 0 shows nobody in the cell,
    # and +-15 % of nothing is nothing (DATA_CONTRACT, wave 3)
    zero = leaks.how.isin(["shown_elsewhere", "exact", "within"]) & leaks.value.abs().lt(TOLERANCE_COUNT)
    leaks = leaks[~zero]
    leaks.insert(len(leaks.columns), "high", leaks.value.where(leaks.how.isin(["shown_elsewhere", "exact"])))
    # every other secret cell: the interval the published sums, bounds and orders leave it
    skip = {tuple(r) for r in leaks[["q", "a", "b", "c"]].itertuples(index=False)}
    hunted = primary if suspects is None else suspects if primary is None else suspects & primary
    narrow = interval_leaks(con, targets, skip, hunted, verdict)
    return pd.concat([leaks, narrow], ignore_index=True) if not narrow.empty else leaks.reset_index(drop=True)


def _primary_shown(con: duckdb.DuckDBPyConnection, primary: frozenset[tuple] | None) -> pd.DataFrame:
    """A cell the models hid for fewer than k clients that the file shows after all: whatever changed
    the file after the models (a copy, a hand edit), the check holds it to the models' own verdict."""
    if not primary:
        return pd.DataFrame(columns=["q", "a", "b", "c", "how", "detail", "value"])
    con.register("primary_df", pd.DataFrame(list(primary), columns=["q", "a", "b", "c"]))
    try:
        return con.execute("""
            SELECT q, a, b, c, 'primary_shown' AS how, 'shown, though the models hid it as a small cell' AS detail,
                   value
            FROM keys JOIN primary_df USING (q, a, b, c) WHERE keys.known""").df()
    finally:
        con.unregister("primary_df")


def _nonlinear(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A concentration figure shown for a municipality-year with a hidden provider (cells.Nonlinear):
    beside the total and the visible providers it narrows the hidden ones' spend."""
    return con.execute("SELECT q, a, b, c, 'nonlinear' AS how, detail, value FROM nonlinear_shown").df()


def _within(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One sum whose empty cells all stand on the same side: each lies between 0 and what is left.
    Zeros that follow from a published zero (the parts of a total shown as 0) are not counted: the
    total says it already."""
    return con.execute(f"""
        WITH j AS (SELECT i.iid, i.coef, k.* FROM identities AS i JOIN keys AS k USING (q, a, b, c)
                   WHERE NOT starts_with(i.iid, 'growth')),
        sides AS (
            SELECT iid, abs(sum(coef * value) FILTER (WHERE known)) AS room,
                   count(DISTINCT sign(coef)) FILTER (WHERE NOT known) AS sides,
                   any_value(sign(coef)) FILTER (WHERE NOT known) AS empty_side
            FROM j GROUP BY iid
        ),
        sums AS (  -- shown_zero: the known cells facing the empty ones are all zero, so the zero is published
            SELECT s.iid, s.room, s.sides, coalesce(bool_and(abs(j.value) < {TOLERANCE_COUNT})
                       FILTER (WHERE j.known AND NOT j.money AND sign(j.coef) <> s.empty_side), false) AS shown_zero
            FROM sides AS s JOIN j USING (iid) GROUP BY ALL
        )
        SELECT j.q, j.a, j.b, j.c, 'within' AS how, any_value(j.iid) AS detail, any_value(s.room) AS value
        FROM j JOIN sums AS s USING (iid)
        WHERE j.secret AND NOT j.known AND s.sides = 1
          AND s.room <= CASE WHEN j.money THEN {TOLERANCE_EUR} ELSE {TOLERANCE_COUNT} END
          AND NOT (s.shown_zero AND s.room < {TOLERANCE_COUNT})
        GROUP BY ALL""").df()


class _Direction:
    """A combination of hidden cells, as far as the sums leave it free. `own` holds its coefficients
    (per core group and column, or per cell no sum ties down), `row` per core group its projection on
    the group's row space (V c, the thin SVD's V having orthonormal rows). The sums determine it when
    nothing is left outside the row space: |c|^2 - |V c|^2 = 0 in every group."""

    __slots__ = ("own", "row")

    def __init__(self, own: dict[object, float], row: dict[object, np.ndarray]):
        self.own, self.row = own, row

    def add(self, other: _Direction, k: float) -> None:
        """self += k * other."""
        for dim, v in other.own.items():
            self.own[dim] = self.own.get(dim, 0.0) + k * v
        for group, vec in other.row.items():
            self.row[group] = self.row[group] + k * vec if group in self.row else k * vec

    def norm2(self) -> float:
        """The squared length left outside the row spaces (relative to the combination's own length)."""
        own = sum(v * v for v in self.own.values())
        return (own - sum(float(vec @ vec) for vec in self.row.values())) / max(1.0, own)


def _exact(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Secret cells that the sums determine exactly, alone or in combination.

    The sums are sparse and mostly tree-shaped, so they are first peeled: a sum with one empty cell
    gives it; a sum with an empty cell that stands in no other sum says nothing about the rest (that
    cell absorbs it) and is set aside. What is left (the core, where hidden cells cross, such as a
    municipality-by-category table with both margins) is solved per group of connected cells by SVD.
    Then the set-aside sums are taken back in reverse: their free cell is determined when the
    combination of the other cells is. Each cell carries its coordinates in the space of free
    directions (the null space of the core, plus one direction per cell no sum ties down), so a cell
    is determined exactly when its coordinates are zero."""
    # a sum with every cell shown says nothing about a hidden one: only those with an empty cell
    rows = con.execute("""
        SELECT i.iid, k.q, k.a, k.b, k.c, i.coef, k.known, k.value, k.secret
        FROM identities AS i JOIN keys AS k USING (q, a, b, c)
        WHERE i.iid IN (SELECT i2.iid FROM identities AS i2 JOIN keys AS k2 USING (q, a, b, c) WHERE NOT k2.known)
        """).fetchall()
    cell_of: dict[tuple, int] = {}
    sum_of: dict[str, int] = {}
    info: list[tuple] = []
    members: list[dict[int, float]] = []
    rhs: list[float] = []
    for iid, q, a, b, c, coef, known, value, secret in rows:
        s = sum_of.get(iid)
        if s is None:
            s = sum_of[iid] = len(members)
            members.append({})
            rhs.append(0.0)
        if known:
            rhs[s] -= coef * value
            continue
        cell = cell_of.get((q, a, b, c))
        if cell is None:
            cell = cell_of[(q, a, b, c)] = len(info)
            info.append((q, a, b, c, secret))
        members[s][cell] = members[s].get(cell, 0.0) + coef
    for m in members:  # a cell that cancels out of a sum is not in it
        for cell in [cell for cell, coef in m.items() if coef == 0]:
            del m[cell]
    names = {s: iid for iid, s in sum_of.items()}
    sums_of_cell: list[set[int]] = [set() for _ in info]
    for s, m in enumerate(members):
        for cell in m:
            sums_of_cell[cell].add(s)
    value: dict[int, float] = {}  # cells known to the attacker from the sums, with their value
    how: dict[int, int] = {}  # the sum that gave each determined cell away
    alive = set(range(len(members)))
    set_aside: list[tuple[int, int]] = []  # (sum, its free cell), in the order they were set aside
    todo = sorted(alive, reverse=True)
    while todo:
        s = todo.pop()
        if s not in alive:
            continue
        m = members[s]
        if len(m) <= 1:
            alive.discard(s)
            if m:
                (cell, coef), = m.items()
                value[cell], how[cell] = rhs[s] / coef, s
                for t in sorted(sums_of_cell[cell] - {s}):
                    rhs[t] -= members[t].pop(cell) * value[cell]
                    sums_of_cell[cell].discard(t)
                    todo.append(t)
                sums_of_cell[cell].clear()
            continue
        free = min((cell for cell in m if len(sums_of_cell[cell]) == 1), default=None)
        if free is None:
            continue
        alive.discard(s)
        set_aside.append((s, free))
        for cell in m:
            sums_of_cell[cell].discard(s)
            if len(sums_of_cell[cell]) == 1:
                todo.append(next(iter(sums_of_cell[cell])))
    # the core: groups of empty cells that share a live sum, each solved by SVD
    coords: dict[int, _Direction] = {}
    pairs = [(head, cell) for s in alive for head, *rest in [list(members[s])] for cell in rest]
    label = component_labels(len(info), [a for a, _ in pairs], [b for _, b in pairs])
    groups: dict[int, list[int]] = defaultdict(list)
    for s in sorted(alive):
        groups[int(label[next(iter(members[s]))])].append(s)
    for group, sums in groups.items():
        cols = sorted({cell for s in sums for cell in members[s]}, key=lambda cell: info[cell][1:4])
        index = {cell: n for n, cell in enumerate(cols)}
        sums = sorted(sums, key=lambda s: sorted((index[cell], coef) for cell, coef in members[s].items()))
        matrix = np.zeros((len(sums), len(cols)))
        for r, s in enumerate(sums):
            for cell, coef in members[s].items():
                matrix[r, index[cell]] = coef
        key = matrix.shape[0].to_bytes(4, "little") + matrix.tobytes()
        if key not in _DECOMPOSITIONS:
            if len(_DECOMPOSITIONS) >= _MAX_DECOMPOSITIONS:
                _DECOMPOSITIONS.clear()
            # the thin SVD: a core group has a few hundred sums over thousands of cells, and the full V
            # (thousands squared) took 3 s a group at national scale; the row space is all it needs
            u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
            rank = int((singular > NULL_TOL * max(1.0, singular[0] if len(singular) else 1.0)).sum())
            _DECOMPOSITIONS[key] = (u[:, :rank], singular[:rank], vt[:rank])
        u, singular, basis = _DECOMPOSITIONS[key]
        solution = basis.T @ ((u.T @ np.array([rhs[s] for s in sums])) / singular)  # least squares
        for n, cell in enumerate(cols):
            direction = _Direction({(group, n): 1.0}, {group: basis[:, n]})
            if direction.norm2() < DETERMINED:
                value[cell], how[cell] = float(solution[n]), sums[0]
            else:
                value[cell], coords[cell] = float(solution[n]), direction
    # the set-aside sums, last first: a free cell is what its sum leaves over
    for s, free in reversed(set_aside):
        coef_free = members[s][free]  # a set-aside sum is never touched again
        total = _Direction({}, {})
        rest = rhs[s]
        for cell, coef in members[s].items():
            if cell == free:
                continue
            if cell not in value:  # a cell no sum ties down: a free direction of its own
                value[cell], coords[cell] = 0.0, _Direction({("own", cell): 1.0}, {})
            rest -= coef * value[cell]
            if cell in coords:
                total.add(coords[cell], -coef / coef_free)
        value[free] = rest / coef_free
        if total.norm2() >= DETERMINED:
            coords[free] = total
        else:
            how[free] = s
    leaks = []
    for cell, s in how.items():
        q, a, b, c, secret = info[cell]
        if secret:
            leaks.append((q, a, b, c, "exact", names[s], value[cell]))
    return pd.DataFrame(leaks, columns=["q", "a", "b", "c", "how", "detail", "value"])
