"""The equivalence tool (tests/equivalence/compare_builds) compares what two builds computed: a column
whose YAML marks it a value of the run (meta.run_time) may differ, any other may not."""

from pathlib import Path

import duckdb

from tests.equivalence.compare_builds import RUN_TIME_COLUMNS, table_digests


def published(path: Path, refreshed_at: str, min_cell_size: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.about AS SELECT ?::TIMESTAMP AS refreshed_at, ?::INTEGER AS min_cell_size",
                    [refreshed_at, min_cell_size])
    return path


def test_two_builds_differ_only_where_the_yaml_says_a_column_is_the_run_s(tmp_path: Path) -> None:
    assert ("about", "refreshed_at") in RUN_TIME_COLUMNS and ("about", "min_cell_size") not in RUN_TIME_COLUMNS
    first = table_digests(published(tmp_path / "a.duckdb", "2026-12-07 01:00", 10))
    later_run = table_digests(published(tmp_path / "b.duckdb", "2026-12-08 02:00", 10))
    other_k = table_digests(published(tmp_path / "c.duckdb", "2026-12-07 01:00", 5))
    assert first == later_run
    assert first["about"][2] != other_k["about"][2]
