import hashlib
import hmac

import pyarrow as pa
import pytest

from demo_data.bsn import synthetic_bsn
from foundation.pseudonyms import Pseudonymiser


def _hmac(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]  # 128 bits (RFC 2104, 5)


@pytest.mark.parametrize("key", ["k", "a much longer secret key " * 5])
def test_pseudonym_is_hmac_sha256_of_the_padded_bsn(key):
    p = Pseudonymiser(key)
    for bsn in ("999900006", "123456782", synthetic_bsn("x")):
        assert p.pseudonym(bsn) == (_hmac(key, bsn), True)
    # a spreadsheet dropped the leading zero; spaces around it; a typing error; nothing at all
    assert p.pseudonym(" 12345672") == (_hmac(key, "012345672"), True)
    assert p.pseudonym("999900007") == (_hmac(key, "999900007"), False)
    assert p.pseudonym(None) == p.pseudonym("  ") == (None, False)


def test_replace_bsn_swaps_the_column_and_remembers_each_client_once():
    p = Pseudonymiser("k")
    table = pa.table({"line_no": [2, 3, 4], "bsn": ["999900006", None, "999900006"], "x": ["a", "b", "c"]})
    out = p.replace_bsn(table)
    assert out.schema == Pseudonymiser.schema(table.schema)
    assert "bsn" not in out.column_names
    assert out.column("client_pseudonym").to_pylist() == [_hmac("k", "999900006"), None, _hmac("k", "999900006")]
    assert out.column("bsn_valid").to_pylist() == [True, False, True]
    assert p.remembered == 1  # the repeated client was hashed once; a missing BSN is not hashed at all


def test_replace_bsn_agrees_with_pseudonym_for_every_kind_of_value(monkeypatch):
    """Nine digits take the vectorised path, everything else the careful one: same answers."""
    values = ["999900006", None, " 12345672", "012345672", "12345672x", "", "000000000", "999900007",
              "x" * 30, "123456782", "999900006"]
    p = Pseudonymiser("k")
    out = p.replace_bsn(pa.table({"bsn": values}))
    out.validate(full=True)
    expected = [Pseudonymiser("k").pseudonym(v) for v in values]
    assert out.column("client_pseudonym").to_pylist() == [e[0] for e in expected]
    assert out.column("bsn_valid").to_pylist() == [e[1] for e in expected]
    assert expected[2] == expected[3] and expected[2][1] and not expected[6][1]
    # a run that meets more distinct BSNs than it may remember starts over, and stays right
    monkeypatch.setattr("foundation.pseudonyms.MAX_REMEMBERED", p.remembered + 3)
    again = p.replace_bsn(pa.table({"bsn": values}))
    assert again.column("client_pseudonym").to_pylist() == [e[0] for e in expected]
    assert p.remembered <= len(values)
