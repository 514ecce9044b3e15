"""Pseudonyms at the edge: HMAC-SHA256(key, BSN) and the elfproef, once per distinct BSN of a run.

The pseudonym is the HMAC truncated to its first 128 bits (32 hex characters), as RFC 2104
section 5 allows: at a few million clients the chance that two share a pseudonym is below
1e-25, and every raw row written is a quarter shorter than with the full 64 characters.

Every reader hands over Arrow batches that still hold the BSN as written. Before DuckDB sees a
batch, its `bsn` column is replaced by the pseudonym and the elfproef verdict, so a raw BSN
never enters DuckDB at all: not a table, not a spill file, not an error message.

A year of declarations names each client about a dozen times, and national volumes run to
millions of lines, so the per-line work must not be Python: a BSN of nine digits is looked up
as a number in a sorted NumPy array of the BSNs seen before, and only a BSN not seen before is
hashed (in Python, once). A BSN that lost its leading zeros in a spreadsheet, common in some
exports, is the same number and takes the same path. Anything else in the column (missing,
junk) is rare and takes the careful path, one value at a time.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
MAX_REMEMBERED = 5_000_000  # distinct BSNs kept per run (about 400 MB; a real year has far fewer)
HEX_CHARS = 32  # the HMAC's first 128 bits, written as hex
MISSING = 0  # the slot of a missing BSN: no pseudonym, fails the elfproef
MAX_BSN_CHARS = 20  # longer text is no BSN; hashing it is fine, remembering it is not
MASK = "BSNMASKED"  # what a BSN-like number outside the bsn field becomes (nine characters, shell-safe)
# Fields the iJw defines as numbers of the provider's or municipality's own: a nine-digit allocation
# number passes the elfproef one time in eleven by chance, so only the row's own BSN is masked there.
IDENTIFIER_FIELDS = frozenset({"toewijzingnummer", "referentienummer", "vorig_referentienummer",
                               "declaratienummer", "response_id", "bericht_id"})
# the same identifiers as the staging and raw tables name them: the no-BSN check leaves them alone
IDENTIFIER_COLUMNS = frozenset({"allocation_number", "reference_number", "previous_reference_number",
                                "declaration_number", "response_id", "message_id"})
NOT_SCREENED = frozenset({"bsn", "age_at_start"})  # the BSN itself, and the age we computed
_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
STANDALONE_NINE = "(^|[^0-9])[0-9]{9}([^0-9]|$)"  # the same, for Arrow's RE2 (no look-around)

_POWERS = 10 ** np.arange(8, -1, -1, dtype=np.int64)  # a nine-digit number's digits, first to last
_ELF_WEIGHTS = np.array([*WEIGHTS, -1], dtype=np.int64)


def elfproef(numbers: np.ndarray) -> np.ndarray:
    """The BSN eleven-test on nine-digit BSNs as numbers: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is
    divisible by 11, and the BSN is not all zeros. One pass per digit, last digit first: a
    matrix of digits times the weights is several times slower on integers."""
    rest = numbers.copy()
    total = np.zeros(len(numbers), np.int64)
    for weight in _ELF_WEIGHTS[::-1]:
        total += weight * (rest % 10)
        rest //= 10
    return (total % 11 == 0) & (numbers > 0)


def passes_elfproef(bsn: str) -> bool:
    """The eleven-test on text: only nine ASCII digits can pass."""
    return len(bsn) == 9 and bsn.isascii() and bsn.isdigit() and bool(elfproef(np.array([int(bsn)]))[0])


def mask_bsns(text: str, only: str | None = None) -> str:
    """`text` with every stand-alone run of nine digits that passes the elfproef masked (or, with
    `only`, every run equal to that BSN): what a person may see of a value that is not the BSN."""
    return _NINE_DIGITS.sub(lambda m: MASK if (m.group() == only if only else passes_elfproef(m.group()))
                            else m.group(), text)


def padded(bsn: str | None) -> str | None:
    """The BSN tidied (as tidy.py trims) and padded (as pad_code(bsn, 9) in SQL): a spreadsheet's lost
    leading zeros back."""
    text = (bsn or "").strip()
    if not text:
        return None
    if len(text) < 9 and text.isascii() and text.isdigit():
        return text.zfill(9)
    return text


def _nine_digit_runs(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(holds a stand-alone run of nine digits, is nine digits and nothing else), per value."""
    found = pc.fill_null(pc.match_substring_regex(column, STANDALONE_NINE), False).to_numpy(zero_copy_only=False)
    exact = found & pc.fill_null(pc.equal(pc.utf8_length(column), 9), False).to_numpy(zero_copy_only=False)
    return found, exact


def _numbers(column: pa.Array, exact: np.ndarray) -> np.ndarray:
    numbers = np.zeros(len(column), np.int64)
    numbers[exact] = pc.cast(column.filter(pa.array(exact)), pa.int64()).to_numpy()
    return numbers


def _mask_runs(column: pa.Array, bsn: pa.Array | None = None,
               own_valid: np.ndarray | None = None) -> tuple[pa.Array, np.ndarray]:
    """The column with BSN-like runs masked, and which values changed. A free field (no `bsn`):
    every run passing the elfproef. An identifier field: the row's own BSN, or any passing run
    where the row has no valid BSN of its own (`own_valid` false)."""
    found, exact = _nine_digit_runs(column)
    masked = np.zeros(len(column), np.bool_)
    if not found.any():
        return column, masked
    valid = elfproef(_numbers(column, exact))
    if bsn is None:
        masked |= exact & valid
    else:
        same = pc.fill_null(pc.equal(column, pc.utf8_lpad(bsn, 9, "0")), False).to_numpy(zero_copy_only=False)
        masked |= exact & (same | (valid & ~own_valid))
    column = pc.if_else(pa.array(masked), pa.scalar(MASK), column)
    inside = np.flatnonzero(found & ~exact).tolist()  # a run inside longer text: rare, in Python
    if inside:
        texts = column.to_pylist()
        for row in inside:
            only = padded(bsn[row].as_py()) if bsn is not None and own_valid[row] else None
            new = mask_bsns(texts[row], only=only)
            if new != texts[row]:
                texts[row], masked[row] = new, True
        column = pa.array(texts, pa.string())
    return column, masked


class Pseudonymiser:
    """Replaces the `bsn` column of Arrow batches by `client_pseudonym` and `bsn_valid`.

    Each distinct BSN gets a slot holding its pseudonym and verdict; slot 0 stands for a
    missing BSN. Nine-digit BSNs find their slot through `_numbers` (sorted) and
    `_number_slots`; other text through `_texts`.
    """

    def __init__(self, key: str) -> None:
        # HMAC's two padded-key states, hashed once; each BSN continues from copies of them
        # (hmac.digest sets the key up again for every call, at twice the cost)
        block = key.encode() if len(key.encode()) <= 64 else hashlib.sha256(key.encode()).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._forget()

    def _forget(self) -> None:
        self._numbers = np.empty(0, np.int64)
        self._number_slots = np.empty(0, np.int64)
        self._texts: dict[str, int] = {}
        self._hex = np.zeros(1024, f"S{HEX_CHARS}")
        self._valid = np.zeros(1024, np.bool_)
        self._used = 1  # slot 0: missing

    @property
    def remembered(self) -> int:
        """Distinct BSNs hashed and kept so far in this run."""
        return self._used - 1

    def _hmacs(self, messages: list[bytes]) -> np.ndarray:
        """The pseudonyms of messages as 32 hex characters each, written out for all at once
        rather than by a hexdigest per message."""
        inner, outer = self._inner, self._outer
        digests = []
        for message in messages:
            h = inner.copy()
            h.update(message)
            o = outer.copy()
            o.update(h.digest())
            digests.append(o.digest()[:HEX_CHARS // 2])
        return np.frombuffer(b"".join(digests).hex().encode(), f"S{HEX_CHARS}")

    def mask_name(self, name: str) -> str:
        """A file name with each BSN-like number turned into `BSN` + a keyed token: stable from run
        to run, different for different numbers (two clients' files keep two names), and not to be
        turned back without the key."""
        return _NINE_DIGITS.sub(lambda m: "BSN" + self._hmacs([b"name:" + m.group().encode()])[0][:8].decode()
                                if passes_elfproef(m.group()) else m.group(), name)

    def pseudonym(self, bsn: str | None) -> tuple[str | None, bool]:
        """(HMAC-SHA256 of the padded BSN as 32 hex characters, passes the elfproef); (None, False) when missing."""
        text = padded(bsn)
        return (None, False) if text is None else (self._hmacs([text.encode()])[0].decode(), passes_elfproef(text))

    def _store(self, texts: list[bytes], valid: np.ndarray) -> np.ndarray:
        """Hash new (padded) BSNs into fresh slots with their elfproef verdicts; return the slots."""
        start, end = self._used, self._used + len(texts)
        if end > len(self._hex):
            size = max(end, 2 * len(self._hex))
            self._hex = np.resize(self._hex, size)
            self._valid = np.resize(self._valid, size)
        self._hex[start:end] = self._hmacs(texts)
        self._valid[start:end] = valid
        self._used = end
        return np.arange(start, end, dtype=np.int64)

    def _slots_of_numbers(self, numbers: np.ndarray) -> np.ndarray:
        """Slots of nine-digit BSNs given as numbers; the unseen ones are hashed first."""
        order = np.argsort(numbers)  # sorted needles: binary searches that stay in cache
        pos = np.empty_like(order)
        pos[order] = np.searchsorted(self._numbers, numbers[order])
        seen = pos < len(self._numbers)
        seen[seen] = self._numbers[pos[seen]] == numbers[seen]
        slots = np.empty_like(pos)
        slots[seen] = self._number_slots[pos[seen]]
        if not seen.all():
            new, where = np.unique(numbers[~seen], return_inverse=True)
            digits = (new[:, None] // _POWERS % 10 + ord("0")).astype(np.uint8)  # as nine ASCII digits
            new_slots = self._store(np.ascontiguousarray(digits).view("S9").ravel().tolist(), elfproef(new))
            slots[~seen] = new_slots[where]
            at = np.searchsorted(self._numbers, new)
            self._numbers = np.insert(self._numbers, at, new)
            self._number_slots = np.insert(self._number_slots, at, new_slots)
        return slots

    def _slot_of_text(self, bsn: str | None) -> int:
        """The slot of anything but one to nine digits: missing, or junk."""
        text = padded(bsn)
        if text is None:
            return MISSING
        if len(text) == 9 and text.isascii() and text.isdigit():  # digits inside what only Python trims
            return int(self._slots_of_numbers(np.array([int(text)], np.int64))[0])
        if len(text) > MAX_BSN_CHARS:
            return int(self._store([text.encode()], np.zeros(1, np.bool_))[0])
        if text not in self._texts:
            self._texts[text] = int(self._store([text.encode()], np.zeros(1, np.bool_))[0])
        return self._texts[text]

    def replace_bsn(self, table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("bsn")
        bsn = pc.utf8_trim_whitespace(table.column(index).combine_chunks())  # as tidy.py trims
        n = len(bsn)
        if self._used + n > MAX_REMEMBERED:  # before any slot of this batch is handed out
            self._forget()
        # up to nine digits: as a number, a BSN that lost its leading zeros is already padded back
        digits = pc.fill_null(pc.match_substring_regex(bsn, "^[0-9]{1,9}$"), False)
        numeric = digits.to_numpy(zero_copy_only=False)
        slots = np.full(n, MISSING, np.int64)
        slots[numeric] = self._slots_of_numbers(pc.cast(bsn.filter(digits), pa.int64()).to_numpy())
        for i in np.flatnonzero(~numeric).tolist():
            slots[i] = self._slot_of_text(bsn[i].as_py())
        table = self._mask_elsewhere(table, bsn, self._valid[slots])
        present = slots != MISSING
        validity = None if present.all() else pa.py_buffer(np.packbits(present, bitorder="little"))
        offsets = pa.py_buffer(np.arange(0, HEX_CHARS * n + 1, HEX_CHARS, dtype=np.int32))
        pseudonyms = pa.Array.from_buffers(pa.string(), n, [validity, offsets, pa.py_buffer(self._hex[slots])])
        return (table.remove_column(table.schema.get_field_index("bsn"))
                .append_column("client_pseudonym", pseudonyms)
                .append_column("bsn_valid", pa.array(self._valid[slots])))

    @staticmethod
    def _mask_elsewhere(table: pa.Table, bsn: pa.Array, own_valid: np.ndarray) -> pa.Table:
        """Mask BSN-like numbers in every other text field, and say where in `bsn_elsewhere`.

        A BSN typed into the wrong field (an AGB code, a tariff, a date) must not reach DuckDB
        either: in a free field any stand-alone run of nine digits passing the elfproef is
        masked. In an identifier field (IDENTIFIER_FIELDS), where such a number is legal by
        chance, only the row's own BSN is; unless the row has no valid BSN of its own (columns
        swapped), when any is. The row rules quarantine such a row under its own rule id.

        Cost: a free field is judged once per distinct value (dates, codes and amounts repeat),
        an identifier once per row with one vectorised pattern; only a run inside longer text
        reaches Python, and a field without a value of nine characters or more is not searched.
        """
        n = table.num_rows
        flagged: dict[str, np.ndarray] = {}
        for i, field in enumerate(table.schema):
            if field.type != pa.string() or field.name in NOT_SCREENED:
                continue
            column = table.column(i).combine_chunks()
            if not pc.any(pc.fill_null(pc.greater_equal(pc.utf8_length(column), 9), False)).as_py():
                continue
            if field.name in IDENTIFIER_FIELDS:
                column, masked = _mask_runs(column, bsn, own_valid)
            else:
                encoded = column.dictionary_encode()
                values, hits = _mask_runs(encoded.dictionary)
                if not hits.any():
                    continue
                column = values.take(encoded.indices)
                masked = pc.fill_null(pa.array(hits).take(encoded.indices), False).to_numpy(zero_copy_only=False)
            if masked.any():
                table = table.set_column(i, field, column)
                flagged[field.name] = masked
        where = pa.nulls(n, pa.string())
        for name, rows in flagged.items():  # "field, field" per row, NULL where none
            here = pc.if_else(pa.array(rows), pa.scalar(name), pa.scalar(None, pa.string()))
            where = pc.coalesce(pc.binary_join_element_wise(where, here, ", "), where, here)
        return table.append_column("bsn_elsewhere", where)

    @staticmethod
    def schema(schema: pa.Schema) -> pa.Schema:
        """The schema of replace_bsn's output."""
        return (schema.remove(schema.get_field_index("bsn")).append(pa.field("bsn_elsewhere", pa.string()))
                .append(pa.field("client_pseudonym", pa.string())).append(pa.field("bsn_valid", pa.bool_())))
