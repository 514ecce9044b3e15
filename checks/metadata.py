"""Metadata helpers so every check shows offending rows the same way in the UI."""

import dagster as dg
import pandas as pd

from foundation.sql import metadata_table

EXAMPLE_ROWS = 10


def examples(df: pd.DataFrame) -> dg.MetadataValue:
    """A few offending rows, shown in place in the UI (callers pass aggregates or pseudonymised rows
    only); the check's count beside it says how many there are in all."""
    return metadata_table(df.head(EXAMPLE_ROWS))
