"""Metadata helpers so every check shows offending rows the same way in the UI."""

import dagster as dg
import pandas as pd

from foundation.sql import markdown_table

EXAMPLE_ROWS = 10


def examples_md(df: pd.DataFrame) -> dg.MetadataValue:
    """A few offending rows as a markdown table (callers pass aggregates or pseudonymised rows only)."""
    return dg.MetadataValue.md(markdown_table(df.head(EXAMPLE_ROWS)))
