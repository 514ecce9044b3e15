"""SQL rules that GX on distinct-value frames cannot judge: uniqueness of keys, and privacy.

Uniqueness needs whole rows, and DuckDB counts duplicates over millions of rows in a moment.
The privacy rule looks at every text column but the iJw's identifiers for a 9-digit value that
passes the elfproef: that would be a raw BSN that escaped pseudonymisation and masking.
"""

from __future__ import annotations

import duckdb
import great_expectations as gx
import pandas as pd

from checks.gx_runner import EXAMPLES, Finding
from foundation.pseudonyms import IDENTIFIER_COLUMNS
from foundation.sql import repeated_hashes_sql

UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "staging.declaration_lines": ("provider_agb", "reference_number"),
    "staging.outcome_responses": ("municipality_code", "allocation_number", "informant"),
    "ref.municipalities": ("municipality_code",),
    "ref.population": ("municipality_code", "year"),
    "ref.providers": ("provider_agb",),
    "ref.provider_financials": ("provider_agb", "year"),
    "ref.products": ("product_code",),
    "ref.instrument_norms": ("instrument",),
}


def unique_key(con: duckdb.DuckDBPyConnection, table: str, judged: str | None = None,
               relation: str | None = None) -> Finding:
    """Counted on 64-bit hashes of the key first: a collision can only raise a false alarm, which
    the exact count on the key itself (run only then) clears. With `judged` (the new rows of
    `table`, checks/scope.py) only the rows of `table` that share a key with a judged row are
    counted: a new row repeating an old key is found, and old keys are not read twice. `relation`:
    where the rows of `table` are read, when not from `table` itself (its SELECT, before dbt builds it)."""
    key = UNIQUE_KEYS[table]
    cols = ", ".join(key)
    table = relation or table
    rows = table if judged is None else \
        f"(SELECT t.* FROM {table} AS t SEMI JOIN (SELECT {cols} FROM {judged}) AS j USING ({cols}))"
    total = con.execute(f"SELECT count(*) FROM {judged or table}").fetchone()[0]
    suspect = con.execute(
        f"SELECT count(*) FROM ({repeated_hashes_sql(f'SELECT hash({cols}) AS key FROM {rows}')})").fetchone()[0]
    if not suspect:
        return Finding(f"unique ({cols})", None, 0, int(total))
    extra = con.execute(f"SELECT count(*) - count(DISTINCT ({cols})) FROM {rows}").fetchone()[0]
    examples = con.execute(f"SELECT concat_ws('/', {cols}) FROM {rows} GROUP BY ALL HAVING count(*) > 1 "
                           f"LIMIT {EXAMPLES}").fetchall()
    return Finding(f"unique ({cols})", None, int(extra), int(total), tuple(r[0] for r in examples))


def no_bsn(con: duckdb.DuckDBPyConnection, table: str, judged: str | None = None) -> Finding:
    """Needs the connection's is_valid_bsn macro (installed by Warehouse.connect). `judged`: the rows
    of `table` to look at (checks/scope.py), all of them when None.

    An identifier the iJw defines as a number (an allocation number, say) passes the elfproef one
    time in eleven by chance, so those columns (IDENTIFIER_COLUMNS) are not judged here: ingestion
    masked the row's own BSN in them already. Any other text column holding such a value is a BSN
    where none may be. The finding names file, line and column, never the value. `table` may be a
    view (a temporary one: the model's SELECT, judged before dbt builds it)."""
    columns = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {table})").fetchall())
    text_columns = [c for c, kind in columns.items() if kind == "VARCHAR" and c not in IDENTIFIER_COLUMNS]
    total = con.execute(f"SELECT count(*) FROM {judged or table}").fetchone()[0]
    check = "no elfproef-valid 9-digit value outside identifier columns"
    condition = " OR ".join(f'is_valid_bsn("{c}")' for c in text_columns) or "false"
    hits = con.execute(f"SELECT count(*) FROM {judged or table} WHERE {condition}").fetchone()[0]
    if not hits:
        return Finding(check, None, 0, int(total))
    where = "source_file || ' line ' || source_line || ': '" if {"source_file", "source_line"} <= set(columns) \
        else "'column '"
    which = ", ".join(f"CASE WHEN is_valid_bsn(\"{c}\") THEN '{c}' END" for c in text_columns)
    examples = con.execute(f"SELECT {where} || concat_ws(', ', {which}) FROM {judged or table} WHERE {condition} "
                           f"LIMIT {EXAMPLES}").fetchall()
    return Finding(check, None, int(hits), int(total), tuple(r[0] for r in examples))


def nulls_and_ranges(con: duckdb.DuckDBPyConnection, table: str, expectations: list) -> Finding:
    """The suite's not-null and between rules over the rows of `table`, in one pass of a few
    comparisons: on a night that judges only the new rows in full, the invariant that the rows
    judged before still hold (checks/scope.py)."""
    conditions, params = [], []
    for e in expectations:
        column = f'"{e.column}"'
        if isinstance(e, gx.expectations.ExpectColumnValuesToNotBeNull):
            conditions.append(f"{column} IS NULL")
        elif isinstance(e, gx.expectations.ExpectColumnValuesToBeBetween):
            for bound, strict, below in ((e.min_value, e.strict_min, True), (e.max_value, e.strict_max, False)):
                if bound is not None:
                    op = ("<=" if strict else "<") if below else (">=" if strict else ">")
                    conditions.append(f"{column} {op} ?")
                    params.append(bound.to_pydatetime() if isinstance(bound, pd.Timestamp) else bound)
    broken = " OR ".join(conditions) or "false"
    bad, total = con.execute(f"SELECT count(*) FILTER (WHERE {broken}), count(*) FROM {table}", params).fetchone()
    examples = con.execute(f"SELECT source_file || ' line ' || source_line FROM {table} WHERE {broken} "
                           f"ORDER BY source_file, source_line LIMIT {EXAMPLES}", params).fetchall() if bad else []
    return Finding("rows judged before: not-null and range rules", None, int(bad), int(total),
                   tuple(r[0] for r in examples))
