import hashlib
import hmac

import duckdb
import pytest

from assets.ingest.macros import install_macros
from pipelines.demo_data.bsn import passes_elfproef, synthetic_bsn


@pytest.mark.parametrize("key", ["k", "a much longer secret key " * 5])
def test_sql_hmac_equals_python_hmac(key):
    con = duckdb.connect()
    install_macros(con, key)
    for bsn in ("999900006", "123456782", synthetic_bsn("x")):
        got = con.execute("SELECT pseudonymise(?)", [bsn]).fetchone()[0]
        assert got == hmac.new(key.encode(), bsn.encode(), hashlib.sha256).hexdigest()


def test_sql_elfproef_matches_python():
    con = duckdb.connect()
    install_macros(con, "k")
    candidates = ["999900006", "999900007", "123456782", "000000000", "12345678", "12345678x", None]
    candidates += [synthetic_bsn(str(i)) for i in range(50)]
    for b in candidates:
        assert con.execute("SELECT is_valid_bsn(?)", [b]).fetchone()[0] == (b is not None and passes_elfproef(b))


def test_padding_restores_leading_zeros():
    con = duckdb.connect()
    install_macros(con, "k")
    assert con.execute("SELECT pad_code('141', 4), pad_code('4', 2), pad_code(' 0141 ', 4), pad_code('', 4), "
                       "pad_code('AB', 4)").fetchone() == ("0141", "04", "0141", None, "AB")


def test_whole_numbers_only():
    con = duckdb.connect()
    install_macros(con, "k")
    assert con.execute("SELECT whole_int(' 12 '), whole_int('7.5'), whole_int('-3'), whole_int('1e3'), "
                       "whole_number('00123')").fetchone() == (12, None, -3, None, "123")


def test_elfproef_on_arbitrary_text_is_false_not_an_error():
    con = duckdb.connect()
    install_macros(con, "k")
    assert con.execute("SELECT list(is_valid_bsn(x)) FROM (VALUES ('declarations/a.csv'), ('999900006'), "
                       "('abcdefghi'), (NULL)) t(x)").fetchone()[0] == [False, True, False, False]
