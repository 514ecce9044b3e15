"""Ingest new declaration files (JW323 XML and CSV) into raw.declaration_rows.

Every row read ends in exactly one state: loaded, quarantined (with a rule id) or duplicate
(identical to a line loaded before). Files are read first, each on its own, so a corrupt file
is rejected without harming the others; the outcome is then written in one transaction, so a
crash never leaves a file half-registered.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from assets.ingest import loading
from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.files import IngestSummary, RawFile, plan_run, register
from assets.ingest.macros import normalise_sql
from assets.ingest.row_rules import rules_case
from assets.ingest.xml_source import parse_jw323, to_arrow

COLUMNS = (
    "declaratienummer", "aanbieder_agb", "gemeentecode", "bsn", "referentienummer", "vorig_referentienummer",
    "toewijzingnummer", "productcategorie", "productcode", "product_begindatum", "product_einddatum",
    "geleverd_volume", "eenheid", "producttarief", "ingediend_bedrag", "debet_credit",
)
OPTIONAL = ("declaratienummer", "vorig_referentienummer", "producttarief")
REQUIRED = tuple(c for c in COLUMNS if c not in OPTIONAL)
NORMALISE_SQL = (Path(__file__).parent / "normalise_declarations.sql").read_text()
XML_BATCH_ROWS = 200_000
PARALLEL_XML_FROM = 16  # below this many files, starting worker processes costs more than it saves

RAW_DDL = """
CREATE TABLE IF NOT EXISTS raw.declaration_rows (
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
    content_hash VARCHAR,
    status VARCHAR NOT NULL,
    rule_id VARCHAR,
    message VARCHAR,
    ingested_at TIMESTAMP NOT NULL
)
"""
CONTENT = ("municipality_code", "client_pseudonym", "previous_reference_number", "allocation_number",
           "product_category", "product_code", "period_start", "period_end", "delivered_volume", "unit",
           "tariff_cents", "amount_cents", "debit_credit")


def _checked_sql(source: str) -> str:
    """Normalise and judge in one pass: rows arrive with their first failing rule and content hash."""
    rule_ids, messages = rules_case(DECLARATION_RULES)
    content = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in CONTENT)
    return (f"SELECT n.* EXCLUDE (bsn_valid, period_start_text, period_end_text, volume_text, tariff_text, "
            f"amount_text, allocation_text, debit_credit_text), md5(concat_ws('|', {content})) AS content_hash, "
            f"{rule_ids} AS rule_id, {messages} AS message FROM ({normalise_sql(NORMALISE_SQL, source)}) AS n")


def _insert_sql(source: str) -> str:
    return f"INSERT INTO incoming_declarations {_checked_sql(source)}"


def _xml_results(files: list[RawFile]) -> Iterator[tuple[RawFile, dict[str, list] | None, str | None]]:
    """Parse XML files, on both cores when there are many; results come back in file order."""
    paths = [str(f.path) for f in files]
    if len(files) < PARALLEL_XML_FROM:
        for f in files:
            yield (f, *parse_jw323(str(f.path), COLUMNS))
        return
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = pool.map(parse_jw323, paths, [COLUMNS] * len(paths), chunksize=64)
        for f, (table, error) in zip(files, results, strict=True):
            yield f, table, error


def _read_files(con: duckdb.DuckDBPyConnection, files: list[RawFile], max_bytes: int,
                progress: Callable[[str], None]) -> dict[int, str]:
    """Fill incoming_declarations; return {file_id: reason} for the files that were rejected."""
    readable, rejected = loading.screen(files, max_bytes)
    xml_files = [f for f in readable if f.path.suffix.lower() == ".xml"]
    csv_files = [f for f in readable if f.path.suffix.lower() == ".csv"]

    def insert(source: str) -> None:
        con.execute(_insert_sql(source))

    rejected |= loading.load_each(
        con, csv_files, "incoming_declarations",
        lambda f: loading.insert_csv(con, f, REQUIRED, OPTIONAL, COLUMNS, insert), progress, "CSV declaration files")

    pending: list[tuple[int, dict[str, list]]] = []
    pending_rows = 0

    def flush() -> None:
        nonlocal pending, pending_rows
        if pending:
            loading.insert_arrow(con, to_arrow(COLUMNS, pending), insert)
        pending, pending_rows = [], 0

    for i, (f, table, error) in enumerate(_xml_results(xml_files), 1):
        if error is not None:
            rejected[f.file_id] = error
        else:
            pending.append((f.file_id, table))
            pending_rows += len(table["line_no"])
            if pending_rows >= XML_BATCH_ROWS:
                flush()
        if i % 1000 == 0 or i == len(xml_files):
            progress(f"parsed {i}/{len(xml_files)} XML declaration files")
    flush()
    return rejected


RESOLVE_SQL = """
    -- D09 and exact duplicates: the first valid occurrence of (provider, reference) wins,
    -- looking at rows loaded in earlier runs (lower file_id) before this run's rows.
    CREATE OR REPLACE TEMP TABLE resolved_declarations AS
    WITH candidates AS (
        SELECT provider_agb, reference_number, content_hash, file_id, line_no
        FROM incoming_declarations WHERE rule_id IS NULL
    ),
    repeated_keys AS (
        SELECT provider_agb, reference_number FROM (
            SELECT provider_agb, reference_number FROM candidates
            UNION ALL
            SELECT r.provider_agb, r.reference_number FROM raw.declaration_rows r
            SEMI JOIN candidates c USING (provider_agb, reference_number)
            WHERE r.status = 'loaded'
        ) GROUP BY ALL HAVING count(*) > 1
    ),
    keyed AS (
        SELECT c.*, true AS is_new FROM candidates c SEMI JOIN repeated_keys USING (provider_agb, reference_number)
        UNION ALL
        SELECT r.provider_agb, r.reference_number, r.content_hash, r.file_id, r.line_no, false
        FROM raw.declaration_rows r SEMI JOIN repeated_keys USING (provider_agb, reference_number)
        WHERE r.status = 'loaded'
    ),
    ranked AS (
        SELECT *, row_number() OVER w AS rn, first_value(content_hash) OVER w AS first_hash,
               first_value(file_id) OVER w AS first_file, first_value(line_no) OVER w AS first_line
        FROM keyed WINDOW w AS (PARTITION BY provider_agb, reference_number ORDER BY file_id, line_no)
    )
    SELECT file_id, line_no,
           CASE WHEN content_hash = first_hash THEN 'duplicate' ELSE 'D09' END AS outcome,
           first_file, first_line
    FROM ranked WHERE is_new AND rn > 1;

    INSERT INTO raw.declaration_rows
    SELECT c.file_id, c.line_no, c.declaration_number, c.provider_agb, c.municipality_code, c.client_pseudonym,
           c.reference_number, c.previous_reference_number, c.allocation_number, c.product_category,
           c.product_code, c.period_start, c.period_end, c.delivered_volume, c.unit, c.tariff_cents,
           c.amount_cents, c.debit_credit, c.content_hash,
           CASE WHEN c.rule_id IS NOT NULL OR r.outcome = 'D09' THEN 'quarantined'
                WHEN r.outcome = 'duplicate' THEN 'duplicate' ELSE 'loaded' END AS status,
           coalesce(c.rule_id, CASE WHEN r.outcome = 'D09' THEN 'D09' END) AS rule_id,
           coalesce(c.message,
               CASE WHEN r.outcome IS NOT NULL THEN
                   CASE WHEN r.outcome = 'D09'
                        THEN 'referentienummer ''' || c.reference_number || ''' was already loaded for this '
                             || 'provider with different content'
                        ELSE 'exact duplicate' END
                   || ' (' || f.source_file || ' line ' || r.first_line || ')' END) AS message,
           now() AS ingested_at
    FROM incoming_declarations c
    LEFT JOIN resolved_declarations r USING (file_id, line_no)
    LEFT JOIN registry.files f ON f.file_id = r.first_file;
"""


def _incoming_ddl() -> str:
    empty = ", ".join(f"NULL::VARCHAR AS {c}" for c in COLUMNS)
    source = f"SELECT NULL::INTEGER AS file_id, NULL::BIGINT AS line_no, {empty} WHERE false"
    return f"CREATE OR REPLACE TEMP TABLE incoming_declarations AS {_checked_sql(source)}"


def ingest_declarations(con: duckdb.DuckDBPyConnection, raw_dir: Path, max_file_bytes: int,
                        progress: Callable[[str], None] = lambda _: None) -> IngestSummary:
    """Needs a connection from Warehouse.connect(): its tables exist and its key is in the macros."""
    files, summary = plan_run(con, raw_dir, "declarations", (".xml", ".csv"))
    if not files:
        return summary
    progress(f"{len(files)} new declaration file(s) to read")
    con.execute(_incoming_ddl())
    rejected = _read_files(con, files, max_file_bytes, progress)
    progress("applying row rules D01-D09")
    con.execute("BEGIN TRANSACTION")
    try:
        for f in files:
            status = "rejected" if f.file_id in rejected else "loaded"
            register(con, f.file_id, f.source_file, f.sha256, "declarations", status, rejected.get(f.file_id))
        con.execute(RESOLVE_SQL)
        con.execute(
            """
            UPDATE registry.files AS f SET rows_read = s.rows_read, rows_loaded = s.loaded,
                   rows_quarantined = s.quarantined, rows_duplicate = s.duplicate
            FROM (
                SELECT file_id, read.n AS rows_read,
                       count(*) FILTER (WHERE status = 'loaded') AS loaded,
                       count(*) FILTER (WHERE status = 'quarantined') AS quarantined,
                       count(*) FILTER (WHERE status = 'duplicate') AS duplicate
                FROM raw.declaration_rows
                JOIN (SELECT file_id, count(*) AS n FROM incoming_declarations GROUP BY file_id) AS read
                    USING (file_id)
                GROUP BY file_id, read.n
            ) s WHERE f.file_id = s.file_id
            """
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    summary.fill_from_registry(con, files, rejected)
    con.execute("DROP TABLE IF EXISTS incoming_declarations")
    return summary
