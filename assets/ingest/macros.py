"""SQL macros shared by every ingestion path, so CSV, XML and XLSX rows are cleaned identically.

The BSN is not among them: it is pseudonymised in Python before DuckDB sees a row
(assets/ingest/pseudonyms.py). `is_valid_bsn` is here for the privacy check, which looks for a
raw BSN that escaped into a table anyway.
"""

from __future__ import annotations

import duckdb


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    weights = " + ".join(f"{w} * try_cast(substr(b, {i}, 1) AS INTEGER)" for i, w in enumerate(range(9, 1, -1), 1))
    con.execute(f"""
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
