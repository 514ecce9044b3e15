"""SQL rules that GX on distinct-value frames cannot judge: uniqueness of keys, and privacy.

Uniqueness needs whole rows, and DuckDB counts duplicates over millions of rows in a moment.
The privacy rule looks at every text column for a 9-digit value that passes the elfproef: that
would be a raw BSN that escaped pseudonymisation.
"""

from __future__ import annotations

import duckdb

from assets.sql import repeated_hashes_sql
from checks.gx_runner import EXAMPLES, Finding

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


def unique_key(con: duckdb.DuckDBPyConnection, table: str) -> Finding:
    """Counted on 64-bit hashes of the key first: a collision can only raise a false alarm, which
    the exact count on the key itself (run only then) clears."""
    key = UNIQUE_KEYS[table]
    cols = ", ".join(key)
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    suspect = con.execute(
        f"SELECT count(*) FROM ({repeated_hashes_sql(f'SELECT hash({cols}) AS key FROM {table}')})").fetchone()[0]
    if not suspect:
        return Finding(f"unique ({cols})", None, 0, int(total))
    extra = con.execute(f"SELECT count(*) - count(DISTINCT ({cols})) FROM {table}").fetchone()[0]
    examples = con.execute(f"SELECT concat_ws('/', {cols}) FROM {table} GROUP BY ALL HAVING count(*) > 1 "
                           f"LIMIT {EXAMPLES}").fetchall()
    return Finding(f"unique ({cols})", None, int(extra), int(total), tuple(r[0] for r in examples))


def no_bsn(con: duckdb.DuckDBPyConnection, table: str) -> Finding:
    """Needs the connection's is_valid_bsn macro (installed by Warehouse.connect)."""
    schema, name = table.split(".")
    text_columns = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND data_type = 'VARCHAR' AND database_name = current_database()", [schema, name]).fetchall()]
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if not text_columns:
        return Finding("no elfproef-valid 9-digit value", None, 0, total)
    condition = " OR ".join(f'is_valid_bsn("{c}")' for c in text_columns)
    hits = con.execute(f"SELECT count(*) FROM {table} WHERE {condition}").fetchone()[0]
    return Finding("no elfproef-valid 9-digit value", None, int(hits), int(total), ("<masked>",) if hits else ())
