"""The SQL macros that type the readers' text, fed as the readers feed them: tidied in Arrow first."""

from datetime import date

import duckdb
import pyarrow as pa

from assets.ingest.tidy import tidy
from demo_data.bsn import synthetic_bsn
from foundation.macros import install_macros
from foundation.pseudonyms import passes_elfproef


def test_sql_elfproef_matches_python():
    con = duckdb.connect()
    install_macros(con)
    candidates = ["999900006", "999900007", "123456782", "000000000", "12345678", "12345678x", None]
    candidates += [synthetic_bsn(str(i)) for i in range(50)]
    for b in candidates:
        assert con.execute("SELECT is_valid_bsn(?)", [b]).fetchone()[0] == (b is not None and passes_elfproef(b))


def _tidied(macro: str, values: list) -> list:
    """Values as the readers hand them to DuckDB (tidied), through one macro."""
    con = duckdb.connect()
    install_macros(con)
    con.register("v", tidy(pa.table({"x": pa.array(values, pa.string()), "i": range(len(values))})))
    return [r[0] for r in con.execute(f"SELECT {macro} FROM v ORDER BY i").fetchall()]


def test_tidy_trims_and_makes_empty_null():
    table = tidy(pa.table({"x": [" a ", "", "  ", None, "\tb\u00a0"], "client_pseudonym": [" p"] * 5}))
    assert table.column("x").to_pylist() == ["a", None, None, None, "b"]
    assert table.column("client_pseudonym").to_pylist() == [" p"] * 5


def test_padding_restores_leading_zeros():
    assert _tidied("pad_code(x, 4)", ["141", " 0141 ", "", "AB", "12345", "1a"]) == ["0141", "0141", None, "AB",
                                                                                      "12345", "1a"]
    assert _tidied("pad_code(x, 2)", ["4", "04"]) == ["04", "04"]


def test_whole_numbers_only():
    assert _tidied("whole_int(x)", [" 12 ", "7.5", "-3", "1e3", "+5", "1_000", "--3", "-", "", "٣", "9" * 19,
                                    "-" + "9" * 18]) == [12, None, -3, None, None, None, None, None, None, None, None,
                                                        -int("9" * 18)]
    assert _tidied("whole_number(x)", ["00123", "123", "0", "-4", "12a"]) == ["123", "123", "0", "-4", None]


def test_dates_in_three_formats_only():
    assert _tidied("parse_date(x)", [" 2024-03-01", "01-03-2024", "2024-03-01 10:00:00", "2024-02-30", "epoch",
                                     "2024/03/01", "2024-3-1", "20240301", "01-03-24"]) == [
        date(2024, 3, 1), date(2024, 3, 1), date(2024, 3, 1), None, None, None, None, None, None]


def test_elfproef_on_arbitrary_text_is_false_not_an_error():
    con = duckdb.connect()
    install_macros(con)
    assert con.execute("SELECT list(is_valid_bsn(x)) FROM (VALUES ('declarations/a.csv'), ('999900006'), "
                       "('abcdefghi'), (NULL)) t(x)").fetchone()[0] == [False, True, False, False]
