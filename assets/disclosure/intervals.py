"""Protection intervals: how far an attacker with every figure of the file can narrow a hidden cell.

Statistical offices judge a suppressed cell safe only when nobody can narrow it (docs/disclosure.md,
"Disclosure control, for the privacy officer"). The attacker here knows, all at once:
- every published sum with its hidden cells (`identities`; money holds to about a cent per cell);
- the sums over distinct counts of children, which only bound (`subsums`: the total is at most the
  sum of its parts and at least each part);
- the order between counts at the same key (`orders`: dropouts are early endings, ...);
- that no count or amount is below zero, except the changes declared `signed`.
It solves linear programmes (HiGHS) per connected group of hidden cells for the interval each
secret cell can take. A group with no solution (a hidden amount below zero that its quantity does
not declare `signed`) stops the publish with a message that says so. A cell is safe (`Targets.safe`) when:
- a count: the interval starts at 0 (nobody can be shown to be in the cell) or, rounded inward to
  whole numbers, is at least k/2 wide;
- money or days: no guess is sure to lie within +-15 % of the truth, i.e. (hi - lo) >= 15 % of (hi + lo).

Proving a cell safe takes two values it can really take (witnesses); proving it leaks takes its
exact bounds. So, per group: (1) minimise the sum of its secret cells, again over those not yet at
zero: each that reaches zero is safe (many groups side by side in one programme: most are a sum or
two, and at national scale setting up a solver per group cost more than solving). (2) For each other
cell, its interval in a small neighbourhood with everything outside held at a feasible point of (1):
values the cell can really take, so a wide enough interval proves it safe. (3) The same
neighbourhood with the sums that reach outside dropped: that only widens the interval, so one too
narrow even there proves a leak. (4) What is left, on the whole group. A large group asked the
same question again in one process (same sums, cells and cells hunted: a later round of
suppression) is not solved again; a small one costs less to solve than to recognise.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
from collections import defaultdict
from dataclasses import dataclass

import duckdb
import highspy
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from assets.disclosure.cells import MONEY_SLACK_MIN, MONEY_SLACK_PER_CELL, quantities_in
from foundation.settings import PROTECTION_COUNT_SHARE_OF_K, PROTECTION_MONEY_PCT

EPS = 1e-6
# expected numbers are published to 6 decimals and counted in hundredths: a sum of them holds to
# about 1e-4 of those per cell, and a cent's slack would widen every interval the attacker gets
EXPECTED_SLACK_PER_CELL = 1e-3
NEIGHBOURHOOD = 300  # cells in a local programme (steps 2 and 3)
BATCH_CELLS = 20_000  # cells in one programme of step (1), over groups side by side
# a group this large is solved alone: (1) minimises again until no cell reaches zero, and a batch would
# make every group in it wait for the large one's rounds (the demo's check: 63 s against 40 s)
ALONE_CELLS = 200
# (1) with more cells pending than this takes the interior point method (with crossover, so the point
# is a vertex as the simplex's) when only the verdict counts: the warm-started simplex needed 26 s and
# 22 s for the first two rounds of the demo's largest group (18,689 cells), the interior point method
# 3 s each. Its vertex differs, and with it the sums that step (4) names as binding, which guide the
# suppression's choice of complements: there the simplex's path is kept (with the interior point
# method the demo hid 1,455 cells beyond the primary ones instead of 1,326). Only a group's first round,
# from a cold start: later rounds start from its vertex, and there the warm simplex wins (the retuned
# demo's check, 2026-12-08: its largest group of 40,875 cells took 145 s in a second round by the interior
# point method, nearly all of it in the crossover, and 71 s by the warm simplex; the check 204 s and 139 s)
IPM_CELLS = 1_000
MINIMIZE, MAXIMIZE = highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize
_DECIDED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kInfeasible)
_banner_shown = False


def _solver() -> highspy.Highs:
    """A HiGHS solver. The first one a process makes prints HiGHS's banner on standard output before
    any option can silence it, and the nightly terminal is one line per step: that one is made with
    standard output pointed at /dev/null (where that cannot be done, the banner simply shows)."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    _banner_shown = True
    sys.stdout.flush()
    try:
        saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return highspy.Highs()
    try:
        os.dup2(devnull, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
COLUMNS = ["q", "a", "b", "c", "how", "detail", "value", "high"]
# per large group (a digest of its sums, cells and the targets): the leaks found, kept between the
# rounds of suppression in one process (bounded: emptied when full)
_SOLVED: dict[bytes, list[tuple]] = {}
_MAX_SOLVED = 20_000


@dataclass(frozen=True)
class Targets:
    """How uncertain a hidden cell must stay: settings JEUGDZORG_PROTECTION_MONEY_PCT (default 15)
    and JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K (default 0.5), with k the file's minimum cell size."""

    k: int
    money_pct: float = PROTECTION_MONEY_PCT
    count_share_of_k: float = PROTECTION_COUNT_SHARE_OF_K

    @property
    def count_width(self) -> float:
        return self.count_share_of_k * self.k

    def safe(self, lo: float, hi: float, money: bool) -> bool:
        """Is an attacker who knows the cell lies in [lo, hi] still unable to narrow it?"""
        if lo == -math.inf or hi == math.inf or self.zero_possible(lo, hi, money):
            return True
        if money:
            return (hi - lo) >= self.money_pct / 100 * (abs(hi) + abs(lo)) - EPS
        return math.floor(hi + EPS) - math.ceil(lo - EPS) >= self.count_width - EPS

    @staticmethod
    def zero_possible(lo: float, hi: float, money: bool) -> bool:
        """An interval that holds zero (for a count: after rounding inward): nobody can be shown in the cell."""
        if money:
            return lo <= EPS and hi >= -EPS
        return (lo == -math.inf or math.ceil(lo - EPS) <= 0) and (hi == math.inf or math.floor(hi + EPS) >= 0)

    def room_needed(self, value: float, money: bool) -> float:
        """How much a complement must be able to move for a cell of about `value` to be safe."""
        return 2 * self.money_pct / 100 * abs(value) if money else self.count_width


def component_labels(cells: int, source: list[int], target: list[int]) -> np.ndarray:
    """The connected group of each of `cells` cells tied by the pairs (source[i], target[i]): groups of
    cells that share a sum (a union-find in Python took a second an attack at national scale)."""
    graph = coo_matrix((np.ones(len(source)), (source, target)), shape=(cells, cells))
    return connected_components(graph, directed=False)[1]


Row = tuple[str, str, list[tuple[tuple, float]], float, float]  # (kind eq|le, name, terms, rhs, slack)
Batch = list[tuple[bytes, list[Row], list[tuple], list[tuple]]]  # groups: (digest, rows, cells, hunted)


def interval_leaks(con: duckdb.DuckDBPyConnection, targets: Targets, skip: set[tuple],
                   only: set[tuple] | None = None, verdict: bool = False) -> pd.DataFrame:
    """Secret cells (not in `skip`, already found otherwise; of `only`, if given) whose interval is
    too narrow: how 'interval', detail the sum that binds it most, value and high its bounds
    (`cells.load` must have run on `con`). `verdict`: only whether a cell leaks counts (IPM_CELLS)."""
    rows = _rows(con)
    info = {(q, a, b, c): (secret, money, signed) for q, a, b, c, secret, money, signed in con.execute(
        "SELECT q, a, b, c, secret, money, signed FROM keys WHERE NOT known").fetchall()}
    if len(_SOLVED) >= _MAX_SOLVED:
        _SOLVED.clear()
    todo: Batch = []
    remembered: list[bytes] = []
    for group_rows in _groups(rows, info):
        cells_ = sorted({cell for _, _, terms, *_ in group_rows for cell, _ in terms})
        hunted = [cell for cell in cells_ if info[cell][0] and cell not in skip and (only is None or cell in only)]
        if not hunted:
            continue
        digest = None
        if len(cells_) >= ALONE_CELLS:  # only a large group is worth remembering between rounds
            digest = _digest(group_rows, cells_, hunted, info, targets, verdict)
            remembered.append(digest)
            if digest in _SOLVED:
                continue
        todo.append((digest, group_rows, cells_, hunted))
    leaks: list[tuple] = []
    for batch in _batches(todo):
        if len(batch) == 1:  # a group alone keeps the programme step (1) warmed up for step (4)
            (digest, group_rows, cells_, hunted), = batch
            alone = _Group(group_rows, cells_, info, targets)
            point, empty = alone.zeros(hunted, verdict)
        else:
            alone = None
            point, empty = _first_zeros(batch, info, targets, verdict)
        for digest, group_rows, cells_, hunted in batch:
            rest = [cell for cell in hunted if cell not in empty]
            # every hunted cell can be empty: safe, and no group to build
            found = (alone or _Group(group_rows, cells_, info, targets)).leaks(rest, point) if rest else []
            if digest is None:
                leaks += found
            else:
                _SOLVED[digest] = found
    for digest in remembered:
        leaks += _SOLVED[digest]
    return pd.DataFrame(leaks, columns=COLUMNS)


def _groups(rows: list[Row], info: dict) -> list[list[Row]]:
    """The relations per connected group of empty cells (cells tied by a relation)."""
    position = {cell: n for n, cell in enumerate(info)}
    first = [position[terms[0][0]] for _, _, terms, *_ in rows]
    source, target = [], []
    for (_, _, terms, *_), head in zip(rows, first, strict=True):
        for cell, _ in terms[1:]:
            source.append(head)
            target.append(position[cell])
    label = component_labels(len(position), source, target)
    groups: dict[int, list[Row]] = defaultdict(list)
    for row, head in zip(rows, first, strict=True):
        groups[label[head]].append(row)
    return list(groups.values())


def _batches(todo: Batch) -> list[Batch]:
    """Small groups side by side, up to BATCH_CELLS cells a programme: most groups are a sum or two, and
    one programme per group spends its time setting HiGHS up (58,000 groups at 10 M national lines).
    The groups share no cell, so the programme of a batch is theirs side by side and its minimum theirs."""
    batches: list[Batch] = []
    size = BATCH_CELLS
    for item in todo:
        if len(item[2]) >= ALONE_CELLS:  # a large group takes its own rounds of (1): alone, as before
            batches.append([item])
            continue
        if size + len(item[2]) > BATCH_CELLS:
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += len(item[2])
    return batches


def _first_zeros(batch: Batch, info: dict, targets: Targets, verdict: bool
                 ) -> tuple[dict[tuple, float], set[tuple]]:
    """Step (1) for a batch of groups: a feasible point, and the hunted cells seen at zero there (safe).
    A batch with no solution is solved group by group, so the message names the group at fault."""
    rows = [r for _, group_rows, *_ in batch for r in group_rows]
    cells_ = [cell for *_, group_cells, _ in batch for cell in group_cells]
    hunted = [cell for *_, group_hunted in batch for cell in group_hunted]
    try:
        return _Group(rows, cells_, info, targets).zeros(hunted, verdict)
    except RuntimeError:
        point, empty = {}, set()
        for _, group_rows, group_cells, group_hunted in batch:
            p, e = _Group(group_rows, group_cells, info, targets).zeros(group_hunted, verdict)
            point |= p
            empty |= e
        return point, empty


def _rows(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every relation that holds an empty cell, with the known cells moved to the right-hand side."""
    rows: list[Row] = []
    expected = quantities_in("expected")
    for iid, cells_ in _relations(con, "identities"):
        terms, rhs = _substitute(cells_)
        money = any(m for *_, m, _ in cells_)
        err = sum(e for *_, e in cells_)  # the shown values' own rounding (Pub.rounding; 0 for a hidden cell)
        slack = max(MONEY_SLACK_MIN, MONEY_SLACK_PER_CELL * len(cells_) + err) if money else 0.0
        if money and all(cell[0] in expected for cell, *_ in cells_):
            slack = EXPECTED_SLACK_PER_CELL * len(cells_)
        rows.append(("eq", iid, terms, rhs, slack))
    for iid, cells_ in _relations(con, "subsums"):
        terms, rhs = _substitute(cells_)  # sum(coef * x) = 0 with the total at -1: the total <= its parts
        rows.append(("le", iid, [(cell, -w) for cell, w in terms], -rhs, 0.0))
        total = [(cell, known, value) for cell, coef, known, value, *_ in cells_ if coef < 0]
        for cell, coef, known, value, money, _ in cells_:
            if coef > 0 and total:  # a part is at most its total
                part = [(cell, 1.0, known, value, money, 0.0),
                        (total[0][0], -1.0, total[0][1], total[0][2], money, 0.0)]
                rows.append(("le", iid, *_substitute(part), 0.0))
    for q, a, b, c, wq, coef, wcoef, pk, pv, wk, wv in con.execute("""
            SELECT o.q, o.a, o.b, o.c, o.wq, o.coef, o.wcoef, p.known, p.value, w.known, w.value FROM orders AS o
            JOIN keys AS p USING (q, a, b, c) JOIN keys AS w ON (w.q, w.a, w.b, w.c) = (o.wq, o.a, o.b, o.c)
            WHERE NOT (p.known AND w.known) ORDER BY ALL""").fetchall():
        # coef * p + wcoef * w <= 0, the known side moved to the right
        terms = [(cell, k) for cell, k, known in (((q, a, b, c), coef, pk), ((wq, a, b, c), wcoef, wk))
                 if not known and k != 0]
        rhs = -(coef * pv if pk else 0.0) - (wcoef * wv if wk else 0.0)
        rows.append(("le", f"order|{q}|{wq}|{a}|{b}|{c}", terms, rhs, 0.0))
    return [r for r in rows if r[2]]


def _relations(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, list[tuple]]]:
    """The sums of `table` (identities, subsums) that hold an empty cell, each as its cells:
    (cell, coef, known, value, money, err), err what a shown value may be off by (Pub.rounding)."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for iid, q, a, b, c, coef, known, value, money, err in con.execute(f"""
            SELECT i.iid, k.q, k.a, k.b, k.c, i.coef, k.known, k.value, k.money, k.err
            FROM {table} AS i JOIN keys AS k USING (q, a, b, c)
            WHERE i.iid IN (SELECT i2.iid FROM {table} AS i2 JOIN keys AS k2 USING (q, a, b, c) WHERE NOT k2.known)
            ORDER BY i.iid, k.q, k.a, k.b, k.c""").fetchall():
        out[iid].append(((q, a, b, c), float(coef), known, value, money, err))
    return list(out.items())


def _substitute(cells_: list[tuple]) -> tuple[list[tuple[tuple, float]], float]:
    """sum(coef * cell) = 0 (or <= 0) with the known cells moved to the right-hand side."""
    terms: dict[tuple, float] = {}
    rhs = 0.0
    for cell, coef, known, value, *_ in cells_:
        if known:
            rhs -= coef * value
        else:
            terms[cell] = terms.get(cell, 0.0) + coef
    return [(cell, coef) for cell, coef in terms.items() if coef != 0], rhs


def _digest(rows: list[Row], cells_: list[tuple], hunted: list[tuple], info: dict, targets: Targets,
            verdict: bool) -> bytes:
    """A large group's question. `verdict` is part of it: the check's path names other binding sums, and
    suppression chooses its complements by them."""
    h = hashlib.blake2b(repr((targets, verdict, sorted((r[0], r[1], r[2], round(r[3], 4), r[4]) for r in rows),
                              [(c, info[c]) for c in cells_], hunted)).encode(), digest_size=20)
    return h.digest()


class _Programme:
    """A linear programme over `cells_` (each at least 0 unless signed) with `rows`; `fixed` gives
    values for cells outside it, moved to the right-hand side."""

    def __init__(self, rows: list[Row], cells_: list[tuple], info: dict, fixed: dict[tuple, float] | None = None):
        self.cells = cells_
        self.index = {cell: n for n, cell in enumerate(cells_)}
        self.rows = rows
        h = self.h = _solver()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")  # warm starts between objectives beat presolving each one
        h.setOptionValue("simplex_strategy", 4)  # primal: the last basis stays feasible when the objective changes
        h.setOptionValue("run_crossover", "on")  # an interior point start ends at a vertex (IPM_CELLS)
        inf = highspy.kHighsInf
        lower = np.array([-inf if info[c][2] else 0.0 for c in cells_])
        h.addVars(len(cells_), lower, np.full(len(cells_), inf))
        # all rows in one call (one addRow per row cost a second per attack at national scale)
        lows, highs, starts, idx, val = [], [], [], [], []
        index = self.index
        for kind, _, terms, rhs, slack in rows:
            starts.append(len(idx))
            for cell, coef in terms:
                n = index.get(cell)
                if n is None:
                    rhs -= coef * fixed[cell]
                else:
                    idx.append(n)
                    val.append(coef)
            lows.append(rhs - slack if kind == "eq" else -inf)
            highs.append(rhs + slack)
        if rows:
            h.addRows(len(rows), np.array(lows), np.array(highs), len(idx), np.array(starts, dtype=np.int32),
                      np.array(idx, dtype=np.int32), np.array(val, dtype=np.float64))
        self.cost = np.zeros(len(cells_))

    def solve(self, objective: dict[tuple, float], sense: highspy.ObjSense, solver: str = "simplex"
              ) -> tuple[str, float]:
        """'optimal' or 'unbounded' with the objective's value, or what else HiGHS said (then NaN).
        `solver` 'ipm' for a large objective from a cold or distant start; the simplex starts warm."""
        h = self.h
        h.setOptionValue("solver", solver)
        self.cost[:] = 0.0
        for cell, w in objective.items():
            self.cost[self.index[cell]] = w
        h.changeColsCost(len(self.cells), np.arange(len(self.cells), dtype=np.int32), self.cost)
        h.changeObjectiveSense(sense)
        h.run()
        status = h.getModelStatus()
        if status not in _DECIDED:  # warm-started primal simplex gave up (status Unknown): once more from scratch
            h.setOptionValue("presolve", "on")
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_strategy", 1)
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
            h.setOptionValue("presolve", "off")
            h.setOptionValue("simplex_strategy", 4)
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", h.getInfo().objective_function_value
        if status == highspy.HighsModelStatus.kUnbounded:
            return "unbounded", (math.inf if sense == MAXIMIZE else -math.inf)
        return h.modelStatusToString(status), math.nan

    def solution(self) -> dict[tuple, float]:
        x = self.h.getSolution().col_value
        return {cell: x[n] for n, cell in enumerate(self.cells)}

    def interval(self, cell: tuple, money: bool, signed: bool) -> tuple[float, float, str] | None:
        """The cell's minimum and, unless that leaves a cell of at least zero possibly empty, its
        maximum, with the relation that binds them most; None when HiGHS found neither."""
        status, lo = self.solve({cell: 1.0}, MINIMIZE)
        if status not in ("optimal", "unbounded"):
            return None
        duals = np.abs(np.array(self.h.getSolution().row_dual))
        if not signed and Targets.zero_possible(lo, math.inf, money):
            return lo, math.inf, self._binding(cell, duals)
        status, hi = self.solve({cell: 1.0}, MAXIMIZE)
        if status not in ("optimal", "unbounded"):
            return None
        return lo, hi, self._binding(cell, duals + np.abs(np.array(self.h.getSolution().row_dual)))

    def _binding(self, cell: tuple, duals: np.ndarray) -> str:
        """Of the sums the cell stands in, the one that holds its bounds most tightly (largest dual):
        where one more hidden cell widens it. An order cannot be opened, so it is named only alone."""
        mine = [n for n, (_, name, terms, *_) in enumerate(self.rows) if any(c == cell for c, _ in terms)]
        mine.sort(key=lambda n: (self.rows[n][1].startswith("order|"), -(duals[n] if n < len(duals) else 0.0), n))
        return self.rows[mine[0]][1] if mine else ""


class _Group:
    """One connected group of empty cells and the relations between them."""

    def __init__(self, rows: list[Row], cells_: list[tuple], info: dict, targets: Targets):
        self.rows, self.cells, self.info, self.targets = rows, cells_, info, targets
        self.rows_of: dict[tuple, list[int]] = defaultdict(list)
        for n, (_, _, terms, *_) in enumerate(rows):
            for cell, _ in terms:
                self.rows_of[cell].append(n)

    def _fail(self, what: str) -> RuntimeError:
        quantities = sorted({cell[0] for cell in self.cells})[:8]
        return RuntimeError(
            f"disclosure attacker: {what} for a group of {len(self.cells)} hidden cells ({', '.join(quantities)}, "
            "...). If the file's sums hold, a hidden value is below zero: declare its quantity `signed: true` in "
            "assets/dbt/dbt_project.yml (vars.disclosure_quantities). Nothing is published meanwhile.")

    @functools.cached_property
    def whole(self) -> _Programme:
        return _Programme(self.rows, self.cells, self.info)

    def zeros(self, hunted: list[tuple], verdict: bool = False) -> tuple[dict[tuple, float], set[tuple]]:
        """(1) The sum of the hunted cells that are at least zero, minimised until no new one reaches
        zero: a feasible point, and the cells seen at zero in it (safe). `verdict`: IPM_CELLS."""
        info, targets = self.info, self.targets
        pending = [cell for cell in hunted if not info[cell][2]]
        empty: set[tuple] = set()

        def minimise(solver: str) -> str:
            return self.whole.solve({cell: 1.0 for cell in pending}, MINIMIZE, solver)[0]

        status = minimise("ipm" if verdict and len(pending) > IPM_CELLS else "simplex")
        while True:
            if status != "optimal":  # at least zero, so bounded below: only a broken file gets here
                raise self._fail(f"HiGHS found no solution ({status})")
            point = self.whole.solution()
            zero = {cell for cell in pending if targets.zero_possible(point[cell], math.inf, info[cell][1])}
            empty |= zero
            pending = [cell for cell in pending if cell not in zero]
            if not zero or not pending:
                return point, empty
            status = minimise("simplex")  # warm, from the last vertex (IPM_CELLS)

    def leaks(self, hunted: list[tuple], point: dict[tuple, float]) -> list[tuple]:
        """Steps (2) to (4) for the hunted cells not seen at zero, around `point` (step 1's)."""
        info, targets = self.info, self.targets
        found = []
        for cell in hunted:
            money, signed = info[cell][1], info[cell][2]
            near = self._neighbourhood(cell)
            # (2) witnesses: the rest held at a feasible point (no answer: no witness, go on)
            local_rows = [self.rows[n] for n in sorted({n for c in near for n in self.rows_of[c]})]
            bounds = _Programme(local_rows, sorted(near), info, fixed=point).interval(cell, money, signed)
            if bounds is not None and targets.safe(bounds[0], bounds[1], money):
                continue
            # (3) a relaxation: only the sums wholly inside the neighbourhood (no answer: go on)
            inside = [r for r in local_rows if all(c in near for c, _ in r[2])]
            bounds = _Programme(inside, sorted(near), info).interval(cell, money, signed)
            if bounds is None or targets.safe(bounds[0], bounds[1], money):
                # (4) the whole group
                bounds = self.whole.interval(cell, money, signed)
                if bounds is None:
                    raise self._fail("HiGHS could not bound a cell")
            lo, hi, binding = bounds
            if not targets.safe(lo, hi, money):
                found.append((*cell, "interval", binding, lo, hi))
        return found

    def _neighbourhood(self, cell: tuple) -> set[tuple]:
        """The cells within two relations of `cell`, at most NEIGHBOURHOOD of them (nearest first)."""
        near, frontier = {cell}, [cell]
        for _ in range(2):
            nxt = []
            for c in frontier:
                for n in self.rows_of[c]:
                    for other, _ in self.rows[n][2]:
                        if other not in near and len(near) < NEIGHBOURHOOD:
                            near.add(other)
                            nxt.append(other)
            frontier = nxt
        return near
