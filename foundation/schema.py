"""The working file's layout, created once per run, and the upgrades of files written by earlier versions.

Ingestion writes registry, raw and ref; the dbt project (assets/dbt/) builds staging, quarantine
and marts from them. The raw tables exist before the first file ever arrives, so every model can
read them on an empty warehouse.
"""

from __future__ import annotations

import duckdb

from foundation.pseudonyms import HEX_CHARS

SCHEMAS = ("registry", "raw", "ref", "staging", "quarantine", "marts")
DECLARATION_ROWS = "raw.declaration_rows"
SURVEY_ROWS = "raw.survey_rows"
ALLOCATION_ROWS = "raw.allocation_rows"
CARE_START_ROWS = "raw.care_start_rows"
CARE_STOP_ROWS = "raw.care_stop_rows"

REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS registry.files (
    file_id INTEGER PRIMARY KEY,
    source_file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL DEFAULT 0,
    rows_loaded BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    rows_duplicate BIGINT NOT NULL DEFAULT 0,
    message VARCHAR,
    ingested_at TIMESTAMP NOT NULL,
    rows_retracted BIGINT NOT NULL DEFAULT 0,
    retracted_at TIMESTAMP,
    size_bytes BIGINT,
    modified_ns BIGINT
)
"""

DECLARATION_ROWS_DDL = f"""
CREATE TABLE IF NOT EXISTS {DECLARATION_ROWS} (
    file_id INTEGER NOT NULL,
    line_no BIGINT NOT NULL,
    declaration_number VARCHAR,
    provider_agb VARCHAR,
    municipality_code VARCHAR,
    client_pseudonym VARCHAR,
    reference_number VARCHAR,
    previous_reference_number VARCHAR,
    allocation_number VARCHAR,
    product_category VARCHAR,
    product_code VARCHAR,
    period_start DATE,
    period_end DATE,
    delivered_volume BIGINT,
    unit VARCHAR,
    tariff_cents BIGINT,
    amount_cents BIGINT,
    debit_credit VARCHAR,
    status VARCHAR NOT NULL,
    rule_id VARCHAR,
    message VARCHAR,
    ingested_at TIMESTAMP NOT NULL
)
"""

SURVEY_ROWS_DDL = f"""
CREATE TABLE IF NOT EXISTS {SURVEY_ROWS} (
    file_id INTEGER NOT NULL,
    line_no BIGINT NOT NULL,
    response_id VARCHAR,
    provider_agb VARCHAR,
    municipality_code VARCHAR,
    client_pseudonym VARCHAR,
    allocation_number VARCHAR,
    product_category VARCHAR,
    referrer VARCHAR,
    start_date DATE,
    end_date DATE,
    end_reason VARCHAR,
    informant VARCHAR,
    filled_date DATE,
    satisfaction INTEGER,
    self_reliance VARCHAR,
    instrument VARCHAR,
    score_begin DOUBLE,
    score_end DOUBLE,
    status VARCHAR NOT NULL,
    rule_id VARCHAR,
    message VARCHAR,
    ingested_at TIMESTAMP NOT NULL
)
"""
# The municipality's own iJw messages (assets/ingest/messages.py): what every kind carries first.
_MESSAGE_COMMON = """
    file_id INTEGER NOT NULL,
    line_no BIGINT NOT NULL,
    message_id VARCHAR,
    message_date DATE,
    provider_agb VARCHAR,
    municipality_code VARCHAR,
    client_pseudonym VARCHAR,
    age_at_start INTEGER,
    sex VARCHAR,
    allocation_number VARCHAR,
    product_category VARCHAR,
    product_code VARCHAR,
    allocation_start DATE,"""
_ROW_STATE = """
    status VARCHAR NOT NULL,
    rule_id VARCHAR,
    message VARCHAR,
    ingested_at TIMESTAMP NOT NULL"""
ALLOCATION_ROWS_DDL = f"""
CREATE TABLE IF NOT EXISTS {ALLOCATION_ROWS} ({_MESSAGE_COMMON}
    allocated_on DATE,
    allocation_end DATE,
    change_reason VARCHAR,
    volume BIGINT,
    unit VARCHAR,
    frequency VARCHAR,
    budget_cents BIGINT,{_ROW_STATE}
)
"""
CARE_START_ROWS_DDL = f"""
CREATE TABLE IF NOT EXISTS {CARE_START_ROWS} ({_MESSAGE_COMMON}
    start_date DATE,
    delivery_status VARCHAR,{_ROW_STATE}
)
"""
CARE_STOP_ROWS_DDL = f"""
CREATE TABLE IF NOT EXISTS {CARE_STOP_ROWS} ({_MESSAGE_COMMON}
    start_date DATE,
    end_date DATE,
    end_reason VARCHAR,
    delivery_status VARCHAR,{_ROW_STATE}
)
"""
# what each published file was built from (foundation/fingerprint.py)
PUBLICATIONS_DDL = """
CREATE TABLE IF NOT EXISTS registry.publications (
    published_at TIMESTAMP NOT NULL,
    run_id VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    code_version VARCHAR,     -- what the contract checks judged with (checks/scope.py)
    files_through BIGINT,     -- the highest file_id registered at the publish
    files_retracted BIGINT,   -- how many files had been retracted by then
    version BIGINT            -- the publication's number, 1, 2, ..., as the record's publication_version says
)
"""
# every WARN check's latest verdict, rewritten by the publish step just before it copies the marts
# (the published table of WARN verdicts is a view of it): foundation/warn_checks.py
WARN_VERDICTS_DDL = """
CREATE TABLE IF NOT EXISTS registry.warn_verdicts (
    check_name VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    label_nl VARCHAR NOT NULL,
    passed BOOLEAN,           -- NULL: never evaluated
    evaluated_at TIMESTAMP,   -- UTC
    run_id VARCHAR,
    PRIMARY KEY (asset, check_name)
)
"""
UPGRADES_DDL = "CREATE TABLE IF NOT EXISTS registry.upgrades (step VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
CUT_PSEUDONYMS = "pseudonyms cut to 128 bits"


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Schemas and the tables ingestion writes, then the upgrades; safe to repeat."""
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for ddl in (REGISTRY_DDL, DECLARATION_ROWS_DDL, SURVEY_ROWS_DDL, ALLOCATION_ROWS_DDL, CARE_START_ROWS_DDL,
                CARE_STOP_ROWS_DDL, PUBLICATIONS_DDL, WARN_VERDICTS_DDL):
        con.execute(ddl)
    upgrade(con)


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a working file written by an earlier version up to date.

    staging.declaration_lines was a table before it became a view over the raw layer; the old
    table goes, and the staging model creates the view in its place. Pseudonyms were the full
    64 hex characters of the HMAC before they were cut to its first 128 bits: cutting the old
    ones the same way keeps every client's rows together across the upgrade. That step is
    recorded once done, because finding that there is nothing to cut means reading every
    pseudonym.
    """
    old = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                      "AND schema_name = 'staging' AND table_name = 'declaration_lines'").fetchone()[0]
    if old:
        con.execute("DROP TABLE staging.declaration_lines")
    con.execute(UPGRADES_DDL)
    # retraction (assets/ingest/retract.py) came after the registry
    con.execute("ALTER TABLE registry.files ADD COLUMN IF NOT EXISTS rows_retracted BIGINT DEFAULT 0")
    con.execute("ALTER TABLE registry.files ADD COLUMN IF NOT EXISTS retracted_at TIMESTAMP")
    # a file's size and modification time, so an unchanged file is not hashed again (assets/ingest/files.py)
    con.execute("ALTER TABLE registry.files ADD COLUMN IF NOT EXISTS size_bytes BIGINT")
    con.execute("ALTER TABLE registry.files ADD COLUMN IF NOT EXISTS modified_ns BIGINT")
    # the contract checks judge only rows that are new since the last complete publish (checks/scope.py)
    for column in ("code_version VARCHAR", "files_through BIGINT", "files_retracted BIGINT"):
        con.execute(f"ALTER TABLE registry.publications ADD COLUMN IF NOT EXISTS {column}")
    # every publication has a number (docs/publications.md); those recorded before it are numbered in order
    con.execute("ALTER TABLE registry.publications ADD COLUMN IF NOT EXISTS version BIGINT")
    con.execute("""
        UPDATE registry.publications AS p SET version = n.version
        FROM (SELECT rowid AS rid, (SELECT coalesce(max(version), 0) FROM registry.publications)
                     + row_number() OVER (ORDER BY published_at, rowid) AS version
              FROM registry.publications WHERE version IS NULL) AS n
        WHERE p.rowid = n.rid""")
    if con.execute("SELECT count(*) FROM registry.upgrades WHERE step = ?", [CUT_PSEUDONYMS]).fetchone()[0]:
        return
    con.execute("BEGIN")
    for table in (DECLARATION_ROWS, SURVEY_ROWS):
        con.execute(f"UPDATE {table} SET client_pseudonym = left(client_pseudonym, {HEX_CHARS}) "
                    f"WHERE strlen(client_pseudonym) > {HEX_CHARS}")
    con.execute("INSERT INTO registry.upgrades VALUES (?, current_timestamp)", [CUT_PSEUDONYMS])
    con.execute("COMMIT")
