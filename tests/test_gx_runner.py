"""The GX runner judges every row through distinct-value frames, also across several chunks."""

import duckdb
import great_expectations as gx

from checks import gx_runner


def test_unexpected_rows_are_weighted_and_summed_over_chunks(monkeypatch):
    monkeypatch.setattr(gx_runner, "CHUNK_VECTORS", 1)  # 2,048 distinct values per frame
    con = duckdb.connect()
    # 6,000 distinct values, each twice; values 5,998-5,999 are out of range, 'x' rows are not numbers
    con.execute("CREATE TABLE t AS SELECT v AS n, CASE WHEN v % 1000 = 0 THEN 'x' ELSE 'ok' END AS s "
                "FROM range(6000) r(v), range(2)")
    findings = gx_runner.run_suite(con, "t", ["n", "s"], [
        gx.expectations.ExpectColumnValuesToBeBetween(column="n", min_value=0, max_value=5997),
        gx.expectations.ExpectColumnValuesToBeInSet(column="s", value_set=["ok"]),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="n"),
    ])
    by_check = {(f.check, f.column): f for f in findings}
    assert by_check[("expect_table_columns_to_match_set", None)].passed
    between = by_check[("expect_column_values_to_be_between", "n")]
    assert (between.unexpected_rows, between.total_rows) == (4, 12000)
    assert set(between.examples) == {"5998", "5999"}
    assert by_check[("expect_column_values_to_be_in_set", "s")].unexpected_rows == 12
    assert by_check[("expect_column_values_to_not_be_null", "n")].passed


def test_schema_drift_fails_the_suite():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 1 AS a, 2 AS surprise")
    findings = gx_runner.run_suite(con, "t", ["a", "b"], [])
    assert not findings[0].passed and set(findings[0].examples) == {"b", "surprise"}


def test_examples_never_show_a_bsn():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT '999900006' AS code")
    findings = gx_runner.run_suite(con, "t", ["code"], [
        gx.expectations.ExpectColumnValuesToMatchRegex(column="code", regex="^[0-9]{4}$")])
    assert findings[1].examples == ("<number>",)


def test_null_only_columns_are_judged_by_class_with_exact_counts():
    # a reference-number column: many distinct values, only nullness asked; 8 of 5,000 rows are NULL
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT CASE WHEN v % 700 = 3 THEN NULL ELSE 'R' || v END AS ref "
                "FROM range(5000) r(v)")
    finding, = [f for f in gx_runner.run_suite(con, "t", ["ref"], [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="ref")]) if f.column == "ref"]
    assert (finding.unexpected_rows, finding.total_rows) == (8, 5000)
    assert not finding.passed


def test_pattern_on_many_distinct_values_is_judged_by_class_with_exact_counts(monkeypatch):
    # pseudonyms: 5,000 rows, of which 8 are raw 9-digit numbers and 3 are NULL (not judged)
    monkeypatch.setattr(gx_runner, "MANY_DISTINCT", 1_000)
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT CASE WHEN v % 700 = 3 THEN lpad(v::VARCHAR, 9, '1') "
                "WHEN v % 2000 = 5 THEN NULL ELSE left(md5(v::VARCHAR), 32) END AS p FROM range(5000) r(v)")
    expectation = gx.expectations.ExpectColumnValuesToMatchRegex(column="p", regex="^[0-9a-f]{32}$")
    _, distinct = gx_runner._profile(con, "t", 5000, set(), {"p"})
    assert "regexp_matches" in gx_runner._grouping(expectation, distinct)
    finding, = [f for f in gx_runner.run_suite(con, "t", ["p"], [expectation]) if f.column == "p"]
    assert (finding.unexpected_rows, finding.total_rows) == (8, 5000)
    assert finding.examples == ("<number>",)
    # the same verdict as on every distinct value
    monkeypatch.setattr(gx_runner, "MANY_DISTINCT", 10_000)
    assert gx_runner._grouping(expectation, distinct) == '"p"'
    by_value, = [f for f in gx_runner.run_suite(con, "t", ["p"], [expectation]) if f.column == "p"]
    assert by_value.unexpected_rows == 8
