"""SQL rules: unique keys (hash first, exact on suspicion) and no raw BSN in any text column."""

import duckdb

from checks.sql_rules import no_bsn, unique_key
from foundation.macros import install_macros


def _products(rows: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA ref")
    con.execute("CREATE TABLE ref.products AS SELECT unnest(?::VARCHAR[]) AS product_code, 'x' AS note", [rows])
    return con


def test_unique_key_counts_every_extra_row_exactly():
    finding = unique_key(_products([f"P{i}" for i in range(1000)] + ["P7", "P7", "P9"]), "ref.products")
    assert (finding.unexpected_rows, finding.total_rows) == (3, 1003)
    assert set(finding.examples) == {"P7", "P9"}


def test_unique_key_passes_on_distinct_keys():
    finding = unique_key(_products([f"P{i}" for i in range(1000)]), "ref.products")
    assert finding.passed and finding.total_rows == 1000


def test_no_bsn_finds_an_elfproef_valid_value_in_a_view():
    # staging.declaration_lines is a view: its text columns must be found and scanned too
    con = _products(["45A01", "999900006", "12345678"])
    install_macros(con)
    con.execute("CREATE VIEW ref.product_view AS SELECT * FROM ref.products")
    finding = no_bsn(con, "ref.product_view")
    assert (finding.unexpected_rows, finding.total_rows) == (1, 3)


def test_no_bsn_names_file_line_and_column_and_leaves_the_ijw_identifiers_alone():
    con = duckdb.connect()
    install_macros(con)
    con.execute("CREATE SCHEMA staging")
    # a nine-digit allocation number passes the elfproef by chance: legal; the same number as a product code is not
    con.execute("CREATE TABLE staging.lines AS SELECT * FROM (VALUES ('declarations/a.csv', 2, '100000009', '45A01'), "
                "('declarations/a.csv', 3, '1001', '100000009'), ('declarations/b.csv', 7, '1002', '45A01')) "
                "AS t(source_file, source_line, allocation_number, product_code)")
    finding = no_bsn(con, "staging.lines")
    assert (finding.unexpected_rows, finding.total_rows) == (1, 3)
    assert finding.examples == ("declarations/a.csv line 3: product_code",)
