"""Run a GX suite over every row of a DuckDB table without loading the table into pandas.

For each column the suite touches, DuckDB hands GX a frame of that column's distinct values
with their row counts. Value-set, pattern, range and null expectations judge values, so GX
sees every value that occurs, and the unexpected values are weighed by their row counts: the
verdict covers all rows (no sampling) at a fraction of the cost of a whole-table frame.
Expectations that only ask "is it null?" cannot be swayed by millions of distinct values (a
reference number, a line number, a pseudonym): they get a frame of one row per class, null and
not null, with a value of that class and the class's row count. Likewise a pattern asked of a
column with millions of distinct values (the client pseudonym's format): DuckDB splits the rows
into those whose value matches the pattern and those that do not, and GX judges a value of
each class, weighed by the class's row count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from assets.ingest.redact import redact

EXAMPLES = 5
ROWS = "__rows"
NULL_ONLY = (gx.expectations.ExpectColumnValuesToNotBeNull, gx.expectations.ExpectColumnValuesToBeNull)
PATTERN = gx.expectations.ExpectColumnValuesToMatchRegex
CHUNK_VECTORS = 100  # DuckDB vectors of 2,048 values: about 200,000 distinct values per frame
MANY_DISTINCT = 100_000  # above this many distinct values, a pattern is judged on classes
NULL_CLASSES = "null classes"  # the grouping of expectations that only ask about nulls


@dataclass(frozen=True)
class Finding:
    """One expectation or SQL rule, judged over the whole table."""

    check: str
    column: str | None
    unexpected_rows: int
    total_rows: int
    examples: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.unexpected_rows == 0

    @property
    def unexpected_pct(self) -> float:
        return round(100 * self.unexpected_rows / self.total_rows, 3) if self.total_rows else 0.0


@cache
def _batches() -> gx.core.batch_definition.BatchDefinition:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("duckdb_frames").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def _batch(df: pd.DataFrame):
    return _batches().get_batch(batch_parameters={"dataframe": df})


def _example(value: object) -> str:
    return redact(str(value), limit=60)  # a stray 9-digit value could be a BSN: never show it


def run_suite(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], expectations: list) -> list[Finding]:
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    empty = con.execute(f"SELECT * FROM {table} LIMIT 0").df()
    schema = _batch(empty).validate(gx.expectations.ExpectTableColumnsToMatchSet(column_set=columns,
                                                                                 exact_match=True))
    actual = set(empty.columns)
    findings = [Finding("expect_table_columns_to_match_set", None, 0 if schema.success else total, total,
                        tuple(sorted(actual.symmetric_difference(columns))))]
    present = [e for e in expectations if e.column in actual]  # a missing column: see the schema finding
    null_classes, distinct = _profile(con, table, total, {e.column for e in present if isinstance(e, NULL_ONLY)},
                                      {e.column for e in present if isinstance(e, PATTERN)})
    groups: dict[tuple[str, str], list] = {}  # (column, how its rows are grouped) -> expectations
    for e in present:
        groups.setdefault((e.column, _grouping(e, distinct)), []).append(e)
    for (column, grouping), group in groups.items():
        frames = [null_classes[column]] if grouping == NULL_CLASSES else _frames(con, table, column, grouping)
        findings += _judge(column, frames, group, total)
    return findings


def _grouping(e, distinct: dict[str, int]) -> str:
    """SQL whose value splits the rows into classes on which the expectation's verdict is the same."""
    column = f'"{e.column}"'
    if isinstance(e, NULL_ONLY):
        return NULL_CLASSES
    if isinstance(e, PATTERN) and distinct[e.column] > MANY_DISTINCT:
        return "regexp_matches({}, '{}')".format(column, e.regex.replace("'", "''"))
    return column


def _profile(con: duckdb.DuckDBPyConnection, table: str, total: int, null_only: set[str],
             patterned: set[str]) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """One pass over the table (which may be a view that computes) for what decides how rows are
    grouped: per null-only column a frame of its two classes, a value of each with the class's row
    count; per patterned column an estimate of its distinct values."""
    nulls, patterns = sorted(null_only), sorted(patterned)
    parts = [f'any_value("{c}"), count("{c}")' for c in nulls]  # any_value skips NULLs
    parts += [f'approx_count_distinct("{c}")' for c in patterns]
    if not parts:
        return {}, {}
    row = con.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchone()
    frames = {}
    for i, column in enumerate(nulls):
        value, present = row[2 * i:2 * i + 2]
        frame = pd.DataFrame({column: pd.Series([value, None], dtype=object), ROWS: [present, total - present]})
        frames[column] = frame[frame[ROWS] > 0].reset_index(drop=True)
    return frames, dict(zip(patterns, row[2 * len(nulls):], strict=True))


def _frames(con: duckdb.DuckDBPyConnection, table: str, column: str, grouping: str) -> Iterator[pd.DataFrame]:
    """Every distinct value, or a value per class of `grouping`, with row counts, in bounded chunks:
    a column with millions of distinct values never becomes one big frame."""
    if grouping == f'"{column}"':
        cursor = con.execute(f'SELECT "{column}", count(*) AS {ROWS} FROM {table} GROUP BY ALL')
    else:
        cursor = con.execute(f'SELECT any_value("{column}") AS "{column}", count(*) AS {ROWS} FROM {table} '
                             f'GROUP BY {grouping}')
    while len(df := cursor.fetch_df_chunk(CHUNK_VECTORS)):
        yield df


def _judge(column: str, frames: Iterable[pd.DataFrame], expectations: list, total: int) -> list[Finding]:
    """Validate one column's frames against expectations, weighing what fails by its row counts."""
    unexpected = [0] * len(expectations)
    examples: list[list[str]] = [[] for _ in expectations]
    for df in frames:
        batch = _batch(df)
        for i, e in enumerate(expectations):
            index = batch.validate(e, result_format="COMPLETE").result.get("unexpected_index_list") or []
            bad = df.loc[index]
            unexpected[i] += int(bad[ROWS].sum())
            examples[i] += [_example(v) for v in bad[column].head(EXAMPLES - len(examples[i]))]
    return [Finding(e.expectation_type, column, unexpected[i], total, tuple(examples[i]))
            for i, e in enumerate(expectations)]


def findings_markdown(findings: list[Finding]) -> str:
    lines = ["| | check | column | unexpected rows | % | examples |", "|---|---|---|---|---|---|"]
    for f in sorted(findings, key=lambda f: f.passed):
        mark = "ok" if f.passed else "**FAIL**"
        lines.append(f"| {mark} | {f.check} | {f.column or ''} | {f.unexpected_rows:,} | {f.unexpected_pct} | "
                     f"{', '.join(f.examples)} |")
    return "\n".join(lines)
