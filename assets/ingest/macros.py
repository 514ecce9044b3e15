"""SQL macros shared by every ingestion path, so CSV, XML and XLSX rows are cleaned identically.

`pseudonymise` is HMAC-SHA256(key, bsn) written in SQL: sha256(K^opad || sha256(K^ipad || m)).
It runs inside DuckDB on the rows as they stream in, so a raw BSN is never written anywhere;
the macro is TEMP, so the key-derived pads live only in this connection. It runs once per row:
a monthly file names most clients once, so hashing distinct BSNs first saves little, and it
would mean reading the stream twice.
"""

from __future__ import annotations

import hashlib

import duckdb

_BLOCK = 64


def _pads(key: str) -> tuple[str, str]:
    raw = key.encode()
    if len(raw) > _BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw).hex(), bytes(b ^ 0x5C for b in raw).hex()


def install_macros(con: duckdb.DuckDBPyConnection, key: str) -> None:
    ipad, opad = _pads(key)
    weights = " + ".join(f"{w} * try_cast(substr(b, {i}, 1) AS INTEGER)" for i, w in enumerate(range(9, 1, -1), 1))
    con.execute(f"""
        CREATE OR REPLACE TEMP MACRO pseudonymise(b) AS
            CASE WHEN b IS NULL THEN NULL
                 ELSE sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || b::BLOB))) END;
        CREATE OR REPLACE TEMP MACRO is_valid_bsn(b) AS
            CASE WHEN strlen(b) = 9 AND regexp_full_match(b, '[0-9]{{9}}') AND b <> '000000000'
                 THEN ({weights} - try_cast(substr(b, 9, 1) AS INTEGER)) % 11 = 0
                 ELSE false END;
        -- codes lose leading zeros in spreadsheets: give digit strings back their width
        CREATE OR REPLACE TEMP MACRO pad_code(x, width) AS
            CASE WHEN length(trim(x)) < width AND regexp_full_match(trim(x), '[0-9]+')
                     THEN lpad(trim(x), width, '0')
                 ELSE nullif(trim(x), '') END;
        -- YYYY-MM-DD, DD-MM-YYYY or YYYY-MM-DD HH:MM:SS and nothing else: a plain cast would also
        -- take 'epoch' or '2024/01/05', and strptime turns 'epoch' into 1900-01-01
        CREATE OR REPLACE TEMP MACRO parse_date(x) AS
            CASE WHEN length(trim(x)) = 10 AND substr(trim(x), 5, 1) = '-' AND substr(trim(x), 8, 1) = '-'
                     THEN try_cast(trim(x) AS DATE)
                 WHEN length(trim(x)) = 10 AND substr(trim(x), 3, 1) = '-' AND substr(trim(x), 6, 1) = '-'
                     THEN try_strptime(trim(x), '%d-%m-%Y')::DATE
                 WHEN length(trim(x)) = 19 AND substr(trim(x), 5, 1) = '-' AND substr(trim(x), 11, 1) = ' '
                     THEN try_strptime(trim(x), '%Y-%m-%d %H:%M:%S')::DATE END;
        -- try_cast('7.5' AS BIGINT) rounds to 8: accept only digits, so '7.5' stays unparseable
        CREATE OR REPLACE TEMP MACRO whole_int(x) AS
            CASE WHEN regexp_full_match(trim(x), '-?[0-9]{{1,18}}') THEN CAST(trim(x) AS BIGINT) END;
        CREATE OR REPLACE TEMP MACRO whole_number(x) AS CAST(whole_int(x) AS VARCHAR);
    """)
