"""Tidy text at the edge: every reader's values trimmed, and NULL where nothing is left.

Exports pad cells with spaces and leave empty strings where a value is missing. Doing this once,
in Arrow, before DuckDB sees a batch, means the SQL that types the values (macros.py) can assume
tidy text and stay cheap: trimming in SQL, once per use of a value, cost more than every other
normalisation step together at national volumes.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

UNTOUCHED = frozenset({"client_pseudonym"})  # hex made by us, never padded
_NULL_TEXT = pa.scalar(None, pa.string())


def tidy(table: pa.Table) -> pa.Table:
    """Every text column trimmed of whitespace (as Unicode defines it), with '' made NULL."""
    for i, field in enumerate(table.schema):
        if field.type != pa.string() or field.name in UNTOUCHED:
            continue
        text = pc.utf8_trim_whitespace(table.column(i))
        empty = pc.equal(pc.binary_length(text), 0)
        if pc.any(empty).as_py():
            text = pc.if_else(empty, _NULL_TEXT, text)
        table = table.set_column(i, field, text)
    return table
