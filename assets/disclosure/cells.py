"""What the published file says, as cells and the sums that tie them together.

Disclosure control (docs/disclosure_control.md) needs one view of the whole file: the same figure
often stands in several tables (a municipality's spend in a year is in the yearly costs, the spend
growth, the benchmark and on every provider row), and figures add up across tables (months to the
year, providers to the municipality, municipalities to the region). So every published number that
matters is a **cell**, a quantity with a key (`q`, `a`, `b`, `c`, e.g. `spend`, `0141`, `2021`,
`month:2021-01`), and the file's arithmetic is written as **identities** between cells (parent minus
its children is zero) and **ratios** (a year-on-year change or a share names two cells).

Nothing here lists a table. Each mart declares its columns in its YAML (`meta.disclosure`, read
from the dbt manifest): a key, `public` with the reason, `derived` (a rate or mean of the row,
empty with it), `protect` (the cells the column publishes), `ratio`, `benchmark` (a side of
the benchmark's measures, which its table declares), or `nonlinear` (a concentration figure, shown only where no part is
hidden). The quantities and their relations are declared once in dbt_project.yml
(`vars.disclosure_quantities`); the sums between cells across tables are one query each in
identities/. `undeclared` lists what a new mart forgot: the publish refuses it.

This is what an attacker with the published file and a spreadsheet knows; `attack.py` works
from it, and `suppress.py` hides more until that attacker cannot narrow any hidden cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from assets.transform import DBT_DIR, MODELS, meta_of, model_meta, models_in

NONE = "''"
# money in the file is rounded to the cent: a sum of n amounts holds to within n cents (at least a euro),
# plus what a derived value may be off by (Pub.rounding)
MONEY_SLACK_PER_CELL, MONEY_SLACK_MIN = 0.01, 1.0
# what a column may declare under meta.disclosure; a key column (its grain) and `suppressed` need nothing
DECLARATIONS = ("public", "derived", "protect", "ratio", "benchmark", "nonlinear")


@dataclass(frozen=True)
class Pub:
    """One column of a table that publishes a cell. `hides` says what disappears when the cell must
    be hidden: `row` = the row's measures (suppressed = true), `self` = this column only (a copy or
    a derived value), or a named half of the row (its own columns, NULL together)."""

    table: str
    column: str
    q: str
    a: str
    b: str
    c: str = NONE
    where: str = "true"
    hides: str | tuple[str, ...] = "row"
    # False where an empty value is not this cell's own small-cell rule (a copy, a derived value, or a
    # row hidden for another year's sake): the attacker only hunts cells suppressed for their own
    own: bool | None = None
    # the value when it is not the column itself (a product of two columns of the row)
    expr: str | None = None
    # the models empty this count on a row they show, when fewer than k children answered the
    # questionnaire it comes from (assets/dbt/macros/effectiveness.sql): a small cell of its own
    value_rule: bool = False
    # how far `expr` can lie from the true value (SQL over the row, in the quantity's unit): a rate
    # rounded to the cent times a count is off by up to half a cent per unit counted, which at real
    # size passes the euro that a sum of stored amounts holds to (MONEY_SLACK_MIN)
    rounding: str | None = None

    @property
    def is_own(self) -> bool:
        return self.hides != "self" if self.own is None else self.own


@dataclass(frozen=True)
class Ratio:
    """A published ratio between two cells (year-on-year change, share): with one of them known it
    gives the other, so it is shown only when both are."""

    table: str
    column: str
    num: tuple[str, str, str, str]
    den: tuple[str, str, str, str]


@dataclass(frozen=True)
class Nonlinear:
    """A figure that is no sum of cells (a concentration index): shown as a number only where no row
    of `complete_in` with the same municipality and year is hidden, else only as its `band` column."""

    table: str
    column: str
    complete_in: str
    band: str


@cache
def quantities() -> dict[str, dict[str, Any]]:
    """The declared quantities (dbt_project.yml, vars.disclosure_quantities)."""
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text())
    return project["vars"]["disclosure_quantities"]


def base_quantity(q: str) -> str:
    """`dur_ended` and `ended_provider` are `ended` at another key; a benchmark side is its measure's."""
    if "." in q:
        measure, side, _ = q.split(".")
        cell = benchmark_measures()[measure][side]
        return base_quantity(cell["quantity"]) if cell else q
    return q.removeprefix("dur_").removesuffix("_provider")


def fact(q: str, name: str, default: Any = None) -> Any:
    """A declared fact of quantity `q` (unit, additive, complement)."""
    return quantities().get(base_quantity(q), {}).get(name, default)


def published_marts() -> list[str]:
    """The marts that go into the BI file: every one, unless its YAML says meta.publish: false."""
    return [t for t in models_in("marts") if model_meta(t).get("publish", True) is not False]


def _column_meta(table: str, column: str) -> dict[str, Any]:
    spec = MODELS[table]["columns"].get(column) or {}
    return meta_of(spec).get("disclosure") or {}


def dimensions() -> dict[str, str]:
    """Column name -> the published dimension (a dim_ mart) whose one-column grain it is: the table
    that names a municipality's region, a product code's category."""
    return {grain[0]: t for t in published_marts()
            if t.startswith("dim_") and len(grain := model_meta(t).get("grain") or []) == 1}


def benchmark_tables() -> list[str]:
    """The published marts with a column that declares a side of the benchmark (meta.disclosure.benchmark)."""
    return [t for t in published_marts() if any("benchmark" in _column_meta(t, c) for c in MODELS[t]["columns"])]


def benchmark_measures() -> dict[str, dict[str, dict[str, Any] | None]]:
    """The benchmark's measures (a benchmark table's meta.disclosure.measures, with the keys of their
    denominators in meta.disclosure.keys), each side as {quantity, b (its key), copy} or None (not a
    cell, such as the public youth population). A side that copies another table's cell (last
    year's spend) is not secret here; nor is one that a table of its own publishes (`_publications`):
    a row hidden for its other side must not make the year's spend (say) a secret everywhere. A
    measure is declared once: two tables declaring it would give its cells two meanings."""
    measures: dict[str, dict[str, dict[str, Any] | None]] = {}
    for table in published_marts():
        declared = model_meta(table).get("disclosure") or {}
        keys = declared.get("keys") or {}
        for measure, spec in (declared.get("measures") or {}).items():
            if measure in measures:
                raise ValueError(f"{table}: the benchmark measure {measure} is declared by another mart too")
            measures[measure] = {side: None if spec.get(side) is None else
                                 {"quantity": spec[side], "b": keys[spec.get("key", "year")],
                                  "copy": side == "denominator" and bool(spec.get("copy"))}
                                 for side in ("numerator", "denominator")}
    return measures


def undeclared(columns: dict[str, list[str]]) -> list[str]:
    """`table.column` for every published column (`columns`: table -> its columns in the file) that
    its YAML does not declare: fail closed, a new table or column is not safe until declared."""
    missing = []
    for table, names in sorted(columns.items()):
        if table not in MODELS:
            missing += [f"{table} (no model)"]
            continue
        meta = model_meta(table)
        if (meta.get("disclosure") or {}).get("public"):
            continue
        keys = set(meta.get("grain") or []) | {"suppressed"}
        missing += [f"{table}.{c}" for c in names
                    if c not in keys and not any(_column_meta(table, c).get(d) for d in DECLARATIONS)]
        # a concentration figure may only be published with the band that stays when it is emptied
        missing += [f"{f.table}.{f.column} (its band {f.band} is not in the table)" for f in NONLINEAR
                    if f.table == table and f.band not in names]
    return missing


def _publications() -> tuple[list[Pub], list[Ratio], list[Nonlinear]]:
    pubs: list[Pub] = []
    ratios: list[Ratio] = []
    nonlinear: list[Nonlinear] = []
    bench: list[tuple[str, str, str]] = []
    for table in published_marts():
        declared = model_meta(table).get("disclosure") or {}
        cell = {"c": NONE, **(declared.get("cell") or {})}
        half = tuple(declared.get("outcome_half") or ())
        for column in MODELS[table]["columns"]:
            d = _column_meta(table, column)
            for e in d.get("protect") or []:
                hides = e.get("hides", "row")
                pubs.append(Pub(table, column, e["quantity"], e.get("a", cell.get("a")), e.get("b", cell.get("b")),
                                e.get("c", cell["c"]), e.get("where", "true"), half if hides == "half" else hides,
                                e.get("own"), e.get("expr"), bool(e.get("empty_on_shown_row")),
                                e.get("rounding")))
            if "ratio" in d:
                ratios.append(Ratio(table, column, tuple(d["ratio"]["num"]), tuple(d["ratio"]["den"])))
            if "nonlinear" in d:
                nonlinear.append(Nonlinear(table, column, d["nonlinear"]["shown_when_complete"],
                                           d["nonlinear"]["band"]))
            if "benchmark" in d:
                bench.append((table, column, d["benchmark"]["group"], d["benchmark"]["side"]))
    elsewhere = {p.q for p in pubs}
    keys = {"municipality": "municipality_code", "region": "youth_care_region", "all": "'all'"}
    for table, column, group, side in bench:
        halves = tuple(f"{group}_{part}" for part in ("value", "numerator", "denominator"))
        for measure, sides in benchmark_measures().items():
            cell = sides.get(side)
            if cell is None:  # the youth population: public
                continue
            where = f"measure = '{measure}'"
            if group == "municipality":
                pubs.append(Pub(table, column, cell["quantity"], keys[group], cell["b"], where=where,
                                own=not cell["copy"] and cell["quantity"] not in elsewhere))
            else:  # an aggregate of whole municipalities, hidden only ever as a complement
                pubs.append(Pub(table, column, f"{measure}.{side}.{group}", keys[group], "year::VARCHAR",
                                where=where, hides=halves, own=False))
    return pubs, ratios, nonlinear


PUBLICATIONS, RATIOS, NONLINEAR = _publications()


# Identities: SQL over `keys` (every cell key, known or not) yielding (iid, q, a, b, c, coef): the
# cells of each identity iid with coef +1 (children) or -1 (the parent), summing to zero. One query
# per file in identities/, in the order of their names; each names the tables it joins through
# placeholders: {catalog}, {dimension[<column>]} (the dimension whose grain is that column) and
# {benchmark} (a table whose columns declare meta.disclosure.benchmark; the query runs once per such table).
IDENTITIES_DIR = Path(__file__).parent / "identities"
IDENTITIES = [p.read_text() for p in sorted(IDENTITIES_DIR.glob("*.sql"))]


def identities_sql(catalog: str) -> list[str]:
    """Every identity query with its tables filled in. A dimension that is not published is a
    KeyError here, so the publish stops rather than leave its sums out (fail closed)."""
    dims = dimensions()
    return [sql.format(catalog=catalog, dimension=dims, benchmark=table)
            for sql in IDENTITIES for table in (benchmark_tables() if "{benchmark}" in sql else [None])]


# units that are no whole count: an amount, a number of days, a model's expected number of trajectories
CONTINUOUS_UNITS = ("eur", "days", "expected")


@cache
def quantities_in(unit: str) -> frozenset[str]:
    """The published quantities of one declared unit."""
    return frozenset(p.q for p in PUBLICATIONS if fact(p.q, "unit") == unit)


@cache
def money_quantities() -> frozenset[str]:
    """The published quantities counted in euros (or days, or expected trajectories in hundredths),
    the benchmark's sides among them: a
    hidden one is worked back when it is known to within a few of them, a count only exactly."""
    return frozenset().union(*(quantities_in(unit) for unit in CONTINUOUS_UNITS))


def contradicted_families(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The families of sums `load` left out because the file contradicts them."""
    return frozenset(r[0] for r in con.execute("SELECT family FROM contradicted_sums").fetchall())


@cache
def signed_quantities() -> frozenset[str]:
    """The published quantities that may be below zero (declared signed: true); every other is at least 0."""
    return frozenset(p.q for p in PUBLICATIONS if fact(p.q, "signed"))


@cache
def orders() -> tuple[tuple[str, str, float, float], ...]:
    """(q, wq, coef, wcoef): coef * q + wcoef * wq <= 0 for the cells of q and wq at the same key
    (declared at_most: q <= factor * wq; at_least: q >= factor * wq; either one [wq, factor] or a list of
    them, when q is bounded by two counts that do not bound each other)."""
    out = []
    for q in sorted({p.q for p in PUBLICATIONS if "." not in p.q}):
        base = base_quantity(q)
        for name, sign in (("at_most", 1.0), ("at_least", -1.0)):
            spec = fact(q, name)
            for other, factor in (spec if spec and isinstance(spec[0], list) else [spec] if spec else []):
                out.append((q, q.replace(base, other, 1), sign, -sign * float(factor)))
    return tuple(out)


def _key(q: str, a: str, b: str, c: str, prefix: str = "") -> str:
    return (f"'{q}' AS {prefix}q, ({a})::VARCHAR AS {prefix}a, ({b})::VARCHAR AS {prefix}b, "
            f"({c})::VARCHAR AS {prefix}c")


def _publication_sql(pub_id: int, p: Pub, catalog: str) -> str:
    # secret: empty here because this cell itself describes fewer than k clients (its row suppressed,
    # or, for the counts the models empty on a row that is shown, the value itself)
    value = p.expr or f'"{p.column}"'
    row_rule = p.hides == "row" and not p.value_rule
    secret = (f"({value}) IS NULL" + (" AND suppressed" if row_rule else "")) if p.is_own else "false"
    sql = (f"SELECT {pub_id} AS pub_id, '{p.table}' AS tbl, '{p.column}' AS col, rowid AS rid, "
           f"{_key(p.q, p.a, p.b, p.c)}, ({value})::DOUBLE AS value, {secret} AS secret, "
           f"{p.hides == 'row'} AS row_hide, coalesce(({p.rounding or 0})::DOUBLE, 0) AS err "
           f"FROM {{catalog}}.marts.{p.table} WHERE {p.where}")
    return sql.replace("{catalog}", catalog)


def load(con: duckdb.DuckDBPyConnection, catalog: str, contradicted: frozenset[str] | None = None) -> None:
    """(Re)build the temp tables `pub` (every publication of a cell: table, row, value or NULL),
    `keys` (every cell: known, secret, money, signed), `identities` (the sums that hold exactly: not
    those over distinct counts of children, which go to `subsums`), `orders` (a count at most a
    multiple of another at the same key), `ratios` and `nonlinear_shown` (a concentration figure shown
    beside a hidden provider) from the marts in `catalog`."""
    _load_values(con, catalog)
    con.execute("CREATE OR REPLACE TEMP TABLE identities AS SELECT * FROM (" + " UNION ALL ".join(
        f"SELECT * FROM ({sql})" for sql in identities_sql(catalog)) + ") AS i(iid, q, a, b, c, coef)")
    # distinct counts of children do not add up over a breakdown (a child can be in two parts)
    non_additive = sorted({p.q for p in PUBLICATIONS if fact(p.q, "additive", True) is False})
    # distinct counts of children only bound their breakdown: the total is at most the sum of its parts
    # and at least each part (`subsums`, coef as in identities)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE subsums AS SELECT * FROM identities WHERE iid IN (
            SELECT iid FROM identities
            WHERE q IN (SELECT unnest($1)) AND split_part(iid, '|', 1) IN ('sum', 'codes', 'group'))""",
                [non_additive])
    con.execute("DELETE FROM identities WHERE iid IN (SELECT iid FROM subsums)")
    # a family of sums that the file itself contradicts where every cell is shown (a year's starts that
    # count a month the monthly table does not show yet) is no sum an attacker can use: left out. Judged
    # on the marts as the models left them (`contradicted`, from `contradicted_families`), since hiding
    # can cover up the very rows that show the contradiction
    con.execute("""
        CREATE OR REPLACE TEMP TABLE contradicted_sums AS
        WITH fam AS (
            SELECT iid, CASE WHEN starts_with(iid, 'sum|') THEN concat_ws('|', 'sum', split_part(iid, '|', 2),
                   split_part(iid, '|', 5)) ELSE concat_ws('|', split_part(iid, '|', 1), split_part(iid, '|', 2))
                   END AS family, sum(i.coef * k.value) AS gap, bool_and(k.known) AS shown, bool_or(k.money) AS money,
                   count(*) AS cells, sum(k.err) AS err
            FROM identities AS i JOIN keys AS k USING (q, a, b, c) GROUP BY iid)
        SELECT family, count(*) AS broken, any_value(iid) AS example FROM fam
        WHERE shown AND abs(gap) > CASE WHEN money THEN greatest($min, $per_cell * cells + err) ELSE 0.5 END
        GROUP BY family""", {"min": MONEY_SLACK_MIN, "per_cell": MONEY_SLACK_PER_CELL})
    if contradicted is not None:
        con.execute("CREATE OR REPLACE TEMP TABLE contradicted_sums AS SELECT unnest($1::VARCHAR[]) AS family, "
                    "NULL::BIGINT AS broken, NULL AS example", [sorted(contradicted)])
    con.execute("""
        DELETE FROM identities WHERE (CASE WHEN starts_with(iid, 'sum|') THEN concat_ws('|', 'sum',
            split_part(iid, '|', 2), split_part(iid, '|', 5)) ELSE concat_ws('|', split_part(iid, '|', 1),
            split_part(iid, '|', 2)) END) IN (SELECT family FROM contradicted_sums)""")
    con.execute("CREATE OR REPLACE TEMP TABLE orders AS SELECT * FROM (" + " UNION ALL ".join(
        [f"SELECT q, a, b, c, '{wq}' AS wq, {coef}::DOUBLE AS coef, {wcoef}::DOUBLE AS wcoef FROM keys WHERE q = '{q}'"
         for q, wq, coef, wcoef in orders()] + ["SELECT '', '', '', '', '', 0, 0 WHERE false"]) + """) AS o
        WHERE EXISTS (SELECT 1 FROM keys AS w WHERE (w.q, w.a, w.b, w.c) = (o.wq, o.a, o.b, o.c))""")
    _load_shown(con, catalog)


def reload_values(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """`load` again after cells were hidden: hiding changes what is shown (`pub`, `keys`, `ratios`,
    `nonlinear_shown`), never which cells exist, so the sums, bounds and orders stay as they are."""
    _load_values(con, catalog)
    _load_shown(con, catalog)


def _load_values(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE pub AS " + " UNION ALL ".join(
        _publication_sql(i, p, catalog) for i, p in enumerate(PUBLICATIONS)))
    con.execute("""
        CREATE OR REPLACE TEMP TABLE keys AS
        SELECT q, a, b, c, arg_min(value, err) AS value, count(value) > 0 AS known, bool_or(secret) AS secret,
               q IN (SELECT unnest($1)) AS money, q IN (SELECT unnest($2)) AS signed,
               -- the attacker reads a cell where it is published most exactly
               coalesce(min(err) FILTER (WHERE value IS NOT NULL), 0) AS err
        FROM pub GROUP BY ALL""", [sorted(money_quantities()), sorted(signed_quantities())])


def _load_shown(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE ratios AS " + " UNION ALL ".join(
        f"SELECT '{r.table}' AS tbl, '{r.column}' AS col, rowid AS rid, {_key(*r.num, prefix='n')}, "
        f"{_key(*r.den, prefix='d')} FROM {catalog}.marts.{r.table} WHERE \"{r.column}\" IS NOT NULL"
        for r in RATIOS))
    con.execute("CREATE OR REPLACE TEMP TABLE nonlinear_shown AS " + " UNION ALL ".join(f"""
        SELECT '{f.table}.{f.column}' AS q, t.municipality_code AS a, t.year::VARCHAR AS b, '' AS c,
               '{f.complete_in}' AS detail, t."{f.column}"::DOUBLE AS value
        FROM {catalog}.marts.{f.table} AS t
        WHERE t."{f.column}" IS NOT NULL AND EXISTS (
            SELECT 1 FROM {catalog}.marts.{f.complete_in} AS p
            WHERE p.municipality_code = t.municipality_code AND p.year = t.year AND p.suppressed)"""
        for f in NONLINEAR))
