"""Synthetic BSNs that pass the elfproef, derived deterministically from a client key."""

from __future__ import annotations

import hashlib

from foundation.pseudonyms import WEIGHTS as _WEIGHTS


def synthetic_bsn(key: str) -> str:
    """A valid-looking BSN for a client key; the same key always gives the same number."""
    counter = 0
    while True:
        digest = hashlib.blake2b(f"{key}/{counter}".encode(), digest_size=8).digest()
        body = f"{int.from_bytes(digest, 'big') % 10**8:08d}"
        check = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11
        if check < 10 and body != "00000000":
            return body + str(check)
        counter += 1


def break_elfproef(bsn: str) -> str:
    """Change the last digit so the number fails the eleven-test (a typing error)."""
    return bsn[:8] + str((int(bsn[8]) + 1) % 10)
