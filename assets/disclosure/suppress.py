"""Secondary suppression: hide as little more as it takes until the attacker recovers nothing.

Primary suppression (a row about fewer than k clients shows only its keys) is done by the models.
This runs on the copy that is about to be published, in rounds:
1. a ratio (year-on-year change, share) whose partner cell is empty is emptied: it would give the
   partner away, and it says nothing once one side is unknown; so is a rolling sum with an empty month,
   a municipality's running caseload from its first month with hidden starts or endings on, and a
   concentration figure (HHI, top-five share) of a municipality-year with a hidden provider;
2. the attacker (`attack.py`) lists the hidden cells it can recover, and the primary ones whose
   protection interval it can narrow too far (`intervals.py`);
3. for each (first those that one sum gives away on its own, as they often carry the rest; a
   narrowed cell in the sum that binds its interval most, and in its other sums), the sums around
   it are searched for one more cell to hide, by cost: a cell that leaves the hidden cells of the
   sum more room together than the cell needs (a few euros, a whole count, or its protection),
   from the sum nearest the leak, and then the smallest: the fewest clients or euros, so a large
   total (a municipality's year, the region's or all municipalities' figure) is hidden only when
   no smaller cell will do; among equals, a part before its total, and one that no other complete
   sum would give straight back (else `_close` takes its partner along). Ties go to the lowest
   key, so the same data always hides the same cells.
A hidden cell disappears from every table that shows it. The rounds stop when the attacker finds
nothing; after the first, only the cells that leaked in the round before are bounded again (hiding
more only ever widens an interval), and the blocking check then bounds every primary cell anew.
What was hidden beyond the primary cells is counted per table for the run's metadata and the publication's record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from assets.disclosure import cells
from assets.disclosure.attack import TOLERANCE_COUNT, TOLERANCE_EUR, find_leaks
from assets.disclosure.intervals import Targets
from assets.transform import shown_when_suppressed

MAX_ROUNDS = 200
# cells never chosen to hide alone (declared complement: false): the running caseload follows from
# last month's and the month's flows (identities/09_stock.sql), so it is hidden only from a hidden month on
NOT_A_COMPLEMENT = tuple(sorted(q for q, facts in cells.quantities().items() if facts.get("complement") is False))


@dataclass
class Outcome:
    """What disclosure control hid beyond the primary suppression."""

    rows: Counter = field(default_factory=Counter)  # table -> rows newly suppressed
    values: Counter = field(default_factory=Counter)  # table -> single values or half-rows emptied
    clients: Counter = field(default_factory=Counter)  # table -> clients of the rows newly suppressed
    euros: Counter = field(default_factory=Counter)  # table -> spend of the rows newly suppressed
    rounds: int = 0
    # families of sums left out because the file contradicts them where all their cells are shown
    contradicted: frozenset[str] = frozenset()

    @property
    def cells_hidden(self) -> int:
        return sum(self.rows.values()) + sum(self.values.values())

    def markdown(self) -> str:
        tables = sorted(set(self.rows) | set(self.values))
        if not tables:
            return "nothing hidden beyond the primary suppression"
        return ("| table | rows suppressed | their clients | their spend (EUR) | values emptied |\n"
                "|---|---|---|---|---|\n" + "".join(
                    f"| {t} | {self.rows[t]:,} | {self.clients[t]:,} | {self.euros[t]:,.0f} | {self.values[t]:,} |\n"
                    for t in tables))


class DisclosureError(RuntimeError):
    """Secondary suppression did not converge: the file must not be published."""


def protect(con: duckdb.DuckDBPyConnection, catalog: str, targets: Targets) -> Outcome:
    """Hide cells in the marts of `catalog` until `find_leaks` finds nothing."""
    outcome = Outcome()
    # the primary cells keep their protection interval: all are bounded at first, then the suspects
    cells.load(con, catalog)
    base = baseline(con)
    outcome.contradicted = base.contradicted
    suspects: set[tuple] | None = None
    for round_ in range(MAX_ROUNDS):
        if round_:  # what the last round hid (the first load judged the contradicted families on this file)
            cells.reload_values(con, catalog)
        _empty_orphan_ratios(con, catalog, outcome)
        leaks = find_leaks(con, targets, suspects, base.primary)
        if leaks.empty:
            return outcome
        suspects = {tuple(r) for r in leaks[["q", "a", "b", "c"]].itertuples(index=False)}
        outcome.rounds += 1
        picks = _complements(con, leaks, targets)
        if not picks:
            raise DisclosureError(
                f"{len(leaks)} hidden figures can still be worked back from the file to be published, and no "
                f"figure is left whose hiding would stop it, so nothing was published (the BI file keeps its "
                f"previous figures). For example: {_named(leaks)}. This is a limit of disclosure control, not a "
                "fault in a delivery: rerunning will not change it. What to do: keep the previous file, and give "
                "the run's id to whoever maintains the pipeline (docs/disclosure_control.md, 'Disclosure control').")
        _hide(con, catalog, picks, outcome)
    raise DisclosureError(f"secondary suppression did not settle in {MAX_ROUNDS} rounds")


def _named(leaks: pd.DataFrame, most: int = 3) -> str:
    """A few leaks as a person reads them: the figure, its keys, and how the attacker gets it."""
    how = {"exact": "exactly", "within": "to within a few units", "interval": "to too narrow an interval",
           "shown_elsewhere": "from another table", "primary_shown": "shown although small"}
    return "; ".join(f"{r.q} of {', '.join(k for k in (r.a, r.b, r.c) if k)} ({how.get(r.how, r.how)})"
                     for r in leaks.head(most).itertuples())


@dataclass(frozen=True)
class Baseline:
    """What the marts as the models left them say, which suppression must not change: the primary
    cells (hidden for fewer than k clients) and the families of sums the file contradicts."""

    primary: frozenset[tuple]
    contradicted: frozenset[str]


def baseline(con: duckdb.DuckDBPyConnection) -> Baseline:
    """(`cells.load` must have run on the marts as the models left them.)"""
    return Baseline(frozenset(con.execute("SELECT q, a, b, c FROM keys WHERE secret AND NOT known").fetchall()),
                    cells.contradicted_families(con))


def _empty_orphan_ratios(con: duckdb.DuckDBPyConnection, catalog: str, outcome: Outcome) -> None:
    """Empty the ratios with an empty side, the rolling sums with an empty month, the running
    caseload from a hidden month on and the concentration figures of a municipality-year with a
    hidden provider: values that only give away what is hidden once one of their inputs is."""
    # with the total and the visible parts, a sum of squares or a top-five share pins the hidden parts
    # down; the figure's band stays (cells.Nonlinear)
    emptied = 0
    for figure in cells.NONLINEAR:
        n = con.execute(f"""
            UPDATE {catalog}.marts.{figure.table} AS t SET "{figure.column}" = NULL
            WHERE "{figure.column}" IS NOT NULL AND EXISTS (
                SELECT 1 FROM {catalog}.marts.{figure.complete_in} AS p
                WHERE p.municipality_code = t.municipality_code AND p.year = t.year AND p.suppressed)""").fetchone()[0]
        outcome.values[figure.table] += n
        emptied += n
    orphans = con.execute("""
        SELECT r.tbl, r.col, list(r.rid ORDER BY r.rid) FROM ratios AS r
        JOIN keys AS n ON (n.q, n.a, n.b, n.c) = (r.nq, r.na, r.nb, r.nc)
        JOIN keys AS d ON (d.q, d.a, d.b, d.c) = (r.dq, r.da, r.db, r.dc)
        WHERE NOT (n.known AND d.known) GROUP BY ALL
        UNION ALL
        SELECT p.tbl, p.col, list(DISTINCT p.rid ORDER BY p.rid) FROM pub AS p
        JOIN identities AS parent USING (q, a, b, c)
        JOIN identities AS part ON part.iid = parent.iid AND part.coef = 1
        JOIN keys AS k ON (k.q, k.a, k.b, k.c) = (part.q, part.a, part.b, part.c)
        WHERE starts_with(parent.iid, 'rolling|') AND parent.coef = -1 AND p.value IS NOT NULL AND NOT k.known
        GROUP BY ALL ORDER BY ALL""").fetchall()
    for table, column, rids in orphans:
        con.execute(f'UPDATE {catalog}.marts.{table} SET "{column}" = NULL WHERE rowid IN (SELECT unnest(?))', [rids])
        outcome.values[table] += len(rids)
    # the running caseload chains every month to the next (identities/09_stock.sql): with one month's starts or
    # endings hidden, the caseload before and after it gives their difference, so it is not shown from
    # that month to the end of the series (a later month would pin the chain again)
    stock = con.execute("""
        SELECT r.q, r.a, r.b, r.c FROM keys AS r
        WHERE r.q = 'running' AND r.c = '' AND r.known AND EXISTS (
            SELECT 1 FROM keys AS f WHERE f.q IN ('started', 'ended') AND f.a = r.a AND f.c LIKE 'month:%'
              AND NOT f.known AND substr(f.c, 7) <= r.b)
        ORDER BY ALL""").fetchall()
    if stock:
        _hide(con, catalog, stock, outcome)
    if orphans or stock or emptied:
        cells.reload_values(con, catalog)


def _complements(con: duckdb.DuckDBPyConnection, leaks: pd.DataFrame, targets: Targets
                 ) -> list[tuple[str, str, str, str]]:
    """The cells to hide next: for a cell shown elsewhere, itself; otherwise one more cell in the
    tightest sum around each recovered or narrowed cell (for a narrowed one, the sum that binds its
    interval most, else every sum it stands in), one that can move at least what the cell needs."""
    shown = leaks.how.isin(["shown_elsewhere", "primary_shown"])
    picks = {tuple(r) for r in leaks.loc[shown, ["q", "a", "b", "c"]].itertuples(index=False)}
    recovered = leaks.loc[leaks.how.isin(["exact", "within", "interval"]),
                          ["q", "a", "b", "c", "how", "detail", "value", "high"]].copy()
    if recovered.empty:
        return sorted(picks)
    money = set(cells.money_quantities())
    recovered["need"] = [
        targets.room_needed(abs(high) if high == high and abs(high) != float("inf") else abs(value), q in money)
        if how == "interval" else (TOLERANCE_EUR if q in money else TOLERANCE_COUNT)
        for q, how, value, high in zip(recovered.q, recovered.how, recovered.value.fillna(0.0), recovered.high,
                                       strict=True)]
    recovered = recovered[["q", "a", "b", "c", "how", "detail", "need"]]
    con.register("recovered_df", recovered)
    candidates = con.execute("""
        WITH members AS (  -- bound: a sum over distinct counts, which only bounds (for a narrowed cell)
            SELECT i.iid, i.coef, i.bound, k.q, k.a, k.b, k.c, k.known, k.value, k.money
            FROM (SELECT *, false AS bound FROM identities UNION ALL SELECT *, true FROM subsums) AS i
            JOIN keys AS k USING (q, a, b, c)
        ),
        counts AS (SELECT iid, count(*) FILTER (WHERE NOT known) AS empty_cells, bool_or(known) AS any_known,
                          abs(coalesce(sum(coef * value) FILTER (WHERE known), 0)) AS room
                   FROM members GROUP BY iid),
        unknowns AS (SELECT iid, empty_cells FROM counts WHERE any_known),
        pinned AS (  -- known cells in a sum whose every other cell is known: hiding one would be undone there
                     -- (not a rolling sum: that is emptied with its month)
            SELECT DISTINCT m.q, m.a, m.b, m.c FROM members AS m JOIN counts AS n USING (iid)
            WHERE n.empty_cells = 0 AND NOT starts_with(m.iid, 'rolling|') AND NOT m.bound
        ),
        sums AS (  -- per recovered cell: every sum it stands in that still has a known cell to hide; for
                   -- a cell known within a few euros, the one sum that leaves it so little room
            SELECT r.q, r.a, r.b, r.c, r.how, r.need, m.iid,
                   u.empty_cells = 1 OR (r.how <> 'exact' AND m.iid = r.detail) AS direct, 1 AS hop
            FROM recovered_df AS r JOIN members AS m USING (q, a, b, c) JOIN unknowns AS u USING (iid)
            WHERE (r.how <> 'within' OR m.iid = r.detail) AND (NOT m.bound OR r.how = 'interval')
        ),
        beside AS (  -- and the sums around the other empty cells of its sums, that may give those away
            SELECT DISTINCT r.q, r.a, r.b, r.c, r.how, r.need, m2.iid, false AS direct, 2 AS hop
            FROM recovered_df AS r JOIN members AS m USING (q, a, b, c)
            JOIN members AS o ON o.iid = m.iid AND NOT o.known
            JOIN members AS m2 ON (m2.q, m2.a, m2.b, m2.c) = (o.q, o.a, o.b, o.c) AND m2.iid <> m.iid
            JOIN unknowns AS u ON u.iid = m2.iid
            WHERE NOT (m.bound OR m2.bound) OR r.how = 'interval'
        ),
        around AS (  -- the sums that give a cell away on their own go first: mending them often mends the rest;
                     -- a narrowed cell is mended in its own sums, whatever the others need
            SELECT * FROM sums WHERE direct AND how <> 'interval'
            UNION ALL
            SELECT * FROM (SELECT * FROM sums UNION ALL SELECT * FROM beside)
            WHERE how = 'interval' OR NOT (SELECT coalesce(bool_or(direct), false) FROM sums WHERE how <> 'interval')
        )
        SELECT t.q, t.a, t.b, t.c, m.q AS pq, m.a AS pa, m.b AS pb, m.c AS pc
        FROM around AS t JOIN members AS m USING (iid) JOIN counts AS n USING (iid)
        LEFT JOIN pinned AS p ON (p.q, p.a, p.b, p.c) = (m.q, m.a, m.b, m.c)
        WHERE m.known AND m.q NOT IN (SELECT unnest($not_a_complement))
        QUALIFY row_number() OVER (  -- one per recovered cell, and one in each sum that gives it away alone
            PARTITION BY t.q, t.a, t.b, t.c, CASE WHEN t.direct THEN t.iid END
            ORDER BY n.room + abs(m.value) > t.need DESC,
                     t.hop, abs(m.value), m.coef DESC, p.q IS NULL DESC, n.empty_cells,
                     m.q, m.a, m.b, m.c) = 1""", {"not_a_complement": list(NOT_A_COMPLEMENT)}).fetchall()
    con.unregister("recovered_df")
    picks |= {(pq, pa, pb, pc) for *_, pq, pa, pb, pc in candidates}
    return _close(con, picks)


def _close(con: duckdb.DuckDBPyConnection, picks: set[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Picks plus, for every sum that would give a pick straight back (all its other cells shown and
    not picked), its smallest other part (the total only where no part is left): a category with a
    single product code, a region with a single municipality. Done here, not over later rounds."""
    picks = set(picks)
    fresh = set(picks)
    while fresh:
        con.register("fresh_df", pd.DataFrame(sorted(fresh), columns=["q", "a", "b", "c"]))
        rows = con.execute("""
            SELECT i.iid, k.q, k.a, k.b, k.c, k.known
            FROM identities AS i JOIN keys AS k USING (q, a, b, c)
            WHERE i.iid IN (SELECT iid FROM identities JOIN fresh_df USING (q, a, b, c))
              AND NOT starts_with(i.iid, 'rolling|')
            ORDER BY i.iid, i.coef DESC, abs(k.value), k.q, k.a, k.b, k.c""").fetchall()
        con.unregister("fresh_df")
        sums: dict[str, list[tuple]] = defaultdict(list)
        for iid, q, a, b, c, known in rows:
            sums[iid].append(((q, a, b, c), known))
        fresh = set()
        for cells_ in sums.values():
            open_ = [cell for cell, known in cells_ if not known or cell in picks]
            partners = [cell for cell, known in cells_ if known and cell not in picks]
            if len(open_) == 1 and partners:
                partner = next((cell for cell in partners if cell[0] not in NOT_A_COMPLEMENT), partners[-1])
                fresh.add(partner)
                picks.add(partner)
    return sorted(picks)


def _hide(con: duckdb.DuckDBPyConnection, catalog: str, picks: list[tuple[str, str, str, str]],
          outcome: Outcome) -> None:
    """Empty every publication of the picked cells, each as its Pub says (the row, its half, or itself)."""
    con.register("picks_df", pd.DataFrame(picks, columns=["q", "a", "b", "c"]))
    rows = con.execute("""
        SELECT p.pub_id, list(DISTINCT p.rid ORDER BY p.rid) FROM pub AS p JOIN picks_df USING (q, a, b, c)
        WHERE p.value IS NOT NULL GROUP BY ALL ORDER BY ALL""").fetchall()
    con.unregister("picks_df")
    by_target: dict[tuple[str, tuple[str, ...]], set[int]] = defaultdict(set)
    for pub_id, rids in rows:
        pub = cells.PUBLICATIONS[pub_id]
        if pub.hides == "row":
            columns = (*sorted(_measure_columns(con, catalog, pub.table)), "suppressed")
        elif pub.hides == "self":
            columns = (pub.column,)
        else:
            columns = pub.hides
        by_target[(pub.table, columns)] |= set(rids)
    for (table, columns), rids in sorted(by_target.items()):
        if "suppressed" in columns:
            # what the loss costs a reader: the rows, and the clients and euros they showed
            clients, euros = (f"sum({c})" if c in columns else "0" for c in ("clients", "spend_eur"))
            fresh, lost_clients, lost_euros = con.execute(
                f"SELECT count(*), coalesce({clients}, 0), coalesce({euros}, 0) FROM {catalog}.marts.{table} "
                f"WHERE NOT suppressed AND rowid IN (SELECT unnest(?))", [sorted(rids)]).fetchone()
            outcome.rows[table] += fresh
            outcome.clients[table] += int(lost_clients)
            outcome.euros[table] += float(lost_euros)
            assignments = ", ".join([f'"{c}" = NULL' for c in columns if c != "suppressed"] + ["suppressed = true"])
        else:
            outcome.values[table] += len(rids)
            assignments = ", ".join(f'"{c}" = NULL' for c in columns)
        con.execute(f"UPDATE {catalog}.marts.{table} SET {assignments} WHERE rowid IN (SELECT unnest(?))",
                    [sorted(rids)])


def _measure_columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    names = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = ? "
                                       "AND schema_name = 'marts' AND table_name = ?", [catalog, table]).fetchall()]
    return [c for c in names if c not in shown_when_suppressed(table)]
