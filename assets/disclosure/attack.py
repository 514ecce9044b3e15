"""The attacker: everything a BI user can work out from the published file about a suppressed cell.

It knows what `cells.py` writes down: every figure the file shows, which cells are empty because
they describe fewer than k clients (secret), the sums that tie cells together and the published
ratios. A secret cell leaks when:
- another table shows it (`shown_elsewhere`);
- the sums pin it down exactly, alone or together (`exact`): linear algebra per group of empty
  cells that share a sum (a cell is determined when every solution of the sums gives it the same
  value, i.e. its row of the null space is zero);
- one sum leaves so little room that, all values being at least zero, it is known to within the
  tolerance (`within`): a few euros for money, nothing for a count;
- a published ratio (year-on-year change, share) gives it from its known partner (`ratio`).
A recovered 0 in a half-row (no ended trajectories) is a zero, not a suppressed value.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd

TOLERANCE_EUR = 5.0  # "to within a few euros"
TOLERANCE_COUNT = 0.5  # a count is recovered when it is known exactly
NULL_TOL = 1e-7


def find_leaks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every secret cell the attacker recovers, with how (`cells.load` must have run on `con`).
    Columns: q, a, b, c, how, detail, value (what it recovers, where it can)."""
    found = [
        con.execute("""
            SELECT q, a, b, c, 'shown_elsewhere' AS how, any_value(p.tbl || '.' || p.col) AS detail,
                   any_value(p.value) AS value
            FROM keys JOIN pub AS p USING (q, a, b, c)
            WHERE keys.secret AND p.value IS NOT NULL GROUP BY ALL""").df(),
        con.execute("""
            SELECT k.q, k.a, k.b, k.c, 'ratio' AS how, r.tbl || '.' || r.col AS detail, NULL::DOUBLE AS value
            FROM ratios AS r
            JOIN keys AS n ON (n.q, n.a, n.b, n.c) = (r.nq, r.na, r.nb, r.nc)
            JOIN keys AS d ON (d.q, d.a, d.b, d.c) = (r.dq, r.da, r.db, r.dc)
            JOIN keys AS k ON (k.q, k.a, k.b, k.c) = CASE WHEN n.known THEN (d.q, d.a, d.b, d.c)
                                                          ELSE (n.q, n.a, n.b, n.c) END
            WHERE n.known <> d.known AND k.secret""").df(),
        _within(con),
        _exact(con),
    ]
    leaks = pd.concat(found, ignore_index=True)
    return leaks.sort_values(["q", "a", "b", "c", "how"]).drop_duplicates(["q", "a", "b", "c"]).reset_index(drop=True)


def _within(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One sum whose empty cells all stand on the same side: each lies between 0 and what is left."""
    return con.execute(f"""
        WITH j AS (SELECT i.iid, i.coef, k.* FROM identities AS i JOIN keys AS k USING (q, a, b, c)
                   WHERE NOT starts_with(i.iid, 'growth')),
        sums AS (
            SELECT iid, abs(sum(coef * value) FILTER (WHERE known)) AS room,
                   count(DISTINCT sign(coef)) FILTER (WHERE NOT known) AS sides
            FROM j GROUP BY iid
        )
        SELECT j.q, j.a, j.b, j.c, 'within' AS how, any_value(j.iid) AS detail, any_value(s.room) AS value
        FROM j JOIN sums AS s USING (iid)
        WHERE j.secret AND NOT j.known AND s.sides = 1
          AND s.room <= CASE WHEN j.money THEN {TOLERANCE_EUR} ELSE {TOLERANCE_COUNT} END
          AND NOT (j.zero_ok AND s.room < {TOLERANCE_COUNT})
        GROUP BY ALL""").df()


def _exact(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Secret cells that the sums determine exactly, alone or in combination."""
    rows = con.execute("""
        SELECT i.iid, k.q, k.a, k.b, k.c, i.coef, k.known, k.value, k.secret, k.zero_ok
        FROM identities AS i JOIN keys AS k USING (q, a, b, c)""").fetchall()
    unknown: dict[tuple, int] = {}
    members: dict[str, list[tuple[int, float]]] = defaultdict(list)
    rhs: dict[str, float] = defaultdict(float)
    info: dict[int, tuple] = {}
    for iid, q, a, b, c, coef, known, value, secret, zero_ok in rows:
        if known:
            rhs[iid] -= coef * value
            continue
        cell = unknown.setdefault((q, a, b, c), len(unknown))
        info[cell] = (q, a, b, c, secret, zero_ok)
        members[iid].append((cell, coef))
    # groups of empty cells that share a sum (union-find)
    parent = list(range(len(unknown)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for cells in members.values():
        for cell, _ in cells[1:]:
            parent[root(cell)] = root(cells[0][0])
    by_group: dict[int, list[str]] = defaultdict(list)
    for iid, cells in members.items():
        by_group[root(cells[0][0])].append(iid)
    leaks = []
    decompositions: dict[bytes, tuple] = {}
    for iids in by_group.values():
        # cells and sums in an order that does not depend on the quantity: the outcome counts of a
        # breakdown are hidden row by row together, so their groups share one matrix and one SVD
        cols = sorted({cell for iid in iids for cell, _ in members[iid]}, key=lambda cell: info[cell][1:4])
        if not any(info[cell][4] for cell in cols):
            continue  # no secret cell in this group: nothing to find
        index = {cell: n for n, cell in enumerate(cols)}
        iids = sorted(iids, key=lambda iid: sorted((index[cell], coef) for cell, coef in members[iid]))
        matrix = np.zeros((len(iids), len(cols)))
        for r, iid in enumerate(iids):
            for cell, coef in members[iid]:
                matrix[r, index[cell]] += coef
        b = np.array([rhs[iid] for iid in iids])
        # a cell is determined when its unit vector lies in the row space of the sums: the squared
        # length of its column in an orthonormal basis of that space (the leading rows of V') is 1
        key = matrix.shape[0].to_bytes(4, "little") + matrix.tobytes()
        if key not in decompositions:
            decompositions[key] = np.linalg.svd(matrix, full_matrices=False)
        u, singular, vt = decompositions[key]
        rank = int((singular > NULL_TOL * max(1.0, singular[0] if len(singular) else 1.0)).sum())
        basis = vt[:rank]
        in_row_space = (basis ** 2).sum(axis=0)
        solution = basis.T @ ((u[:, :rank].T @ b) / singular[:rank])  # the least-squares solution
        for n, cell in enumerate(cols):
            q, a, b_, c, secret, zero_ok = info[cell]
            if secret and in_row_space[n] > 1 - 1e-6 and not (zero_ok and abs(solution[n]) < TOLERANCE_COUNT):
                leaks.append((q, a, b_, c, "exact", iids[0], float(solution[n])))
    return pd.DataFrame(leaks, columns=["q", "a", "b", "c", "how", "detail", "value"])
