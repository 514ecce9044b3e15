"""Pseudonyms at the edge: HMAC-SHA256(key, BSN) and the elfproef, once per distinct BSN of a run.

Every reader hands over Arrow batches that still hold the BSN as written. Before DuckDB sees a
batch, its `bsn` column is replaced by the pseudonym and the elfproef verdict, so a raw BSN
never enters DuckDB at all: not a table, not a spill file, not an error message. A run keeps
each BSN's result in memory while it lasts: a year of declarations names each client about a
dozen times, and looking a result up costs far less than hashing again.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
MAX_REMEMBERED = 5_000_000  # distinct BSNs kept per run (about 1.5 GB would be far beyond a real year)
MAX_BSN_CHARS = 20  # longer text is no BSN; hashing it is fine, remembering it is not


_ZERO = ord("0") * (sum(WEIGHTS) - 1)  # what the ASCII codes add on top of the digits' own sum


def passes_elfproef(bsn: str) -> bool:
    """The BSN eleven-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11 (and not all zeros)."""
    if len(bsn) != 9 or not (bsn.isascii() and bsn.isdigit()) or bsn == "000000000":
        return False
    b = bsn.encode()  # written out: this runs once for every client of a run
    return (9 * b[0] + 8 * b[1] + 7 * b[2] + 6 * b[3] + 5 * b[4] + 4 * b[5] + 3 * b[6] + 2 * b[7] - b[8]
            - _ZERO) % 11 == 0


def padded(bsn: str | None) -> str | None:
    """The BSN as pad_code(bsn, 9) gives it in SQL: trimmed, and a spreadsheet's lost leading zeros back."""
    text = (bsn or "").strip(" ")
    if not text:
        return None
    if len(text) < 9 and text.isascii() and text.isdigit():
        return text.zfill(9)
    return text


class Pseudonymiser:
    """Replaces the `bsn` column of Arrow batches by `client_pseudonym` and `bsn_valid`."""

    def __init__(self, key: str) -> None:
        # HMAC's two padded-key states, hashed once; each BSN continues from copies of them
        # (hmac.digest sets the key up again for every call, at twice the cost)
        block = key.encode() if len(key.encode()) <= 64 else hashlib.sha256(key.encode()).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._known: dict[str | None, tuple[str | None, bool]] = {}

    def pseudonym(self, bsn: str | None) -> tuple[str | None, bool]:
        """(HMAC-SHA256 hex of the padded BSN, passes the elfproef); (None, False) when it is missing."""
        result = self._known.get(bsn)
        if result is None:
            text = padded(bsn)
            if text is None:
                result = (None, False)
            else:
                inner = self._inner.copy()
                inner.update(text.encode())
                outer = self._outer.copy()
                outer.update(inner.digest())
                result = (outer.hexdigest(), passes_elfproef(text))
            if bsn is None or len(bsn) <= MAX_BSN_CHARS:
                if len(self._known) >= MAX_REMEMBERED:
                    self._known.clear()
                self._known[bsn] = result
        return result

    def replace_bsn(self, table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("bsn")
        known = self._known  # the common case, a client seen before, without a method call
        results = [known.get(b) or self.pseudonym(b) for b in table.column(index).to_pylist()]
        return (table.remove_column(index)
                .append_column("client_pseudonym", pa.array([r[0] for r in results], pa.string()))
                .append_column("bsn_valid", pa.array([r[1] for r in results], pa.bool_())))

    @staticmethod
    def schema(schema: pa.Schema) -> pa.Schema:
        """The schema of replace_bsn's output."""
        return (schema.remove(schema.get_field_index("bsn"))
                .append(pa.field("client_pseudonym", pa.string())).append(pa.field("bsn_valid", pa.bool_())))
