"""SQL macros shared by every ingestion path, so CSV, XML and XLSX rows are cleaned identically.

They expect tidy text (assets/ingest/tidy.py) and test values with strlen and GLOB before
anything dearer: at national volumes these expressions run tens of millions of times. The BSN is
not among them: it is pseudonymised in Python before DuckDB sees a row
(foundation/pseudonyms.py). `is_valid_bsn` is here for the privacy check, which looks for a
raw BSN that escaped into a table anyway.
"""

from __future__ import annotations

import duckdb

from foundation.pseudonyms import MASK


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    weights = " + ".join(f"{w} * try_cast(substr(b, {i}, 1) AS INTEGER)" for i, w in enumerate(range(9, 1, -1), 1))
    con.execute(f"""
        -- one or more ASCII digits and nothing else (GLOB is far cheaper than a regular expression)
        CREATE OR REPLACE TEMP MACRO is_digits(x) AS strlen(x) > 0 AND NOT x GLOB '*[!0-9]*';
        CREATE OR REPLACE TEMP MACRO is_agb(x) AS strlen(x) = 8 AND is_digits(x);
        CREATE OR REPLACE TEMP MACRO is_valid_bsn(b) AS
            CASE WHEN strlen(b) = 9 AND is_digits(b) AND b <> repeat('0', 9)
                 THEN ({weights} - try_cast(substr(b, 9, 1) AS INTEGER)) % 11 = 0
                 ELSE false END;
        -- every stand-alone run of nine digits passing the elfproef masked: for messages that quote a
        -- value (an identifier may hold such a number by chance; a message must not show it)
        CREATE OR REPLACE TEMP MACRO mask_bsns(x) AS list_reduce(
            list_prepend(x, list_filter(regexp_extract_all(x, '[0-9]+'), d -> strlen(d) = 9 AND is_valid_bsn(d))),
            (acc, d) -> replace(acc, d, '{MASK}'));
        -- The readers hand over tidy text (assets/ingest/tidy.py): trimmed, NULL where empty, so
        -- nothing here trims.
        -- codes lose leading zeros in spreadsheets: give digit strings back their width
        CREATE OR REPLACE TEMP MACRO pad_code(x, width) AS
            CASE WHEN strlen(x) < width AND is_digits(x) THEN lpad(x, width, '0') ELSE x END;
        -- YYYY-MM-DD, DD-MM-YYYY or YYYY-MM-DD HH:MM:SS and nothing else: a plain cast would also
        -- take 'epoch' or '2024/01/05', and strptime turns 'epoch' into 1900-01-01
        CREATE OR REPLACE TEMP MACRO parse_date(x) AS
            CASE WHEN x GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN try_cast(x AS DATE)
                 WHEN x GLOB '[0-9][0-9]-[0-9][0-9]-[0-9][0-9][0-9][0-9]' THEN try_strptime(x, '%d-%m-%Y')::DATE
                 WHEN x GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
                     THEN try_strptime(x, '%Y-%m-%d %H:%M:%S')::DATE END;
        -- try_cast('7.5' AS BIGINT) rounds to 8: accept only digits, so '7.5' stays unparseable
        CREATE OR REPLACE TEMP MACRO whole_int(x) AS
            CASE WHEN strlen(x) <= 18 AND is_digits(x) THEN CAST(x AS BIGINT)
                 WHEN strlen(x) <= 19 AND x[1] = '-' AND is_digits(x[2:]) THEN CAST(x AS BIGINT) END;
        -- an identifier written as a whole number, without leading zeros
        CREATE OR REPLACE TEMP MACRO whole_number(x) AS
            CASE WHEN x >= '1' AND strlen(x) <= 18 AND is_digits(x) THEN x  -- digits without a leading zero
                 ELSE CAST(whole_int(x) AS VARCHAR) END;
    """)
