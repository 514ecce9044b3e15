"""Ingest new declaration files (JW323 XML and CSV) into raw.declaration_rows.

Every row read ends in exactly one state: loaded, quarantined (with a rule id) or duplicate
(identical to a line loaded before). A run is one transaction: rows are normalised, judged and
written straight into the raw layer as they stream in (one write of each row), and a crash
rolls the whole run back, so a file is never half-registered. A file that cannot be read is
rejected without harming the others: the readers fail in Python, never inside DuckDB, so the
file's rows are removed and the transaction carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from assets.ingest import loading
from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.files import IngestSummary, RawFile, plan_run, register_run, set_rows_read, update_counts_sql
from assets.ingest.row_rules import ResolvedRule, judged_sql
from assets.ingest.xml_reader import parsed
from assets.ingest.xml_source import MessageSpec, arrow_schema
from foundation.pseudonyms import Pseudonymiser
from foundation.schema import DECLARATION_ROWS as TARGET
from foundation.sql import repeated_hashes_sql, transaction

COLUMNS = (
    "declaratienummer", "aanbieder_agb", "gemeentecode", "bsn", "referentienummer", "vorig_referentienummer",
    "toewijzingnummer", "productcategorie", "productcode", "product_begindatum", "product_einddatum",
    "geleverd_volume", "eenheid", "producttarief", "ingediend_bedrag", "debet_credit",
)
LAYOUT = loading.Layout(COLUMNS, optional=("declaratienummer", "vorig_referentienummer", "producttarief"))
NORMALISE_SQL = (Path(__file__).parent / "normalise_declarations.sql").read_text()
XML_SCHEMA = arrow_schema(COLUMNS)
JW323 = MessageSpec(
    message="JW323", record="Prestatie",
    header={"Afzender": "aanbieder_agb", "Ontvanger": "gemeentecode", "DeclaratieNummer": "declaratienummer"},
    fields={"ReferentieNummer": "referentienummer", "VorigReferentieNummer": "vorig_referentienummer",
            "ToewijzingNummer": "toewijzingnummer", "ProductCategorie": "productcategorie",
            "ProductCode": "productcode", "Begindatum": "product_begindatum", "Einddatum": "product_einddatum",
            "GeleverdVolume": "geleverd_volume", "Eenheid": "eenheid", "ProductTarief": "producttarief",
            "Bedrag": "ingediend_bedrag", "DebetCredit": "debet_credit"},
    clients="Declaratie/Clienten",
)

# columns the normalise model yields only for the rules' messages
RULE_INPUTS = ("bsn_valid", "bsn_elsewhere", "period_start_text", "period_end_text", "volume_text", "tariff_text",
               "amount_text", "allocation_text", "debit_credit_text")


def _insert_sql(source: str) -> str:
    """Normalise, judge and write in one pass: a row lands with its status and first failing rule."""
    judged = judged_sql(DECLARATION_RULES, NORMALISE_SQL.format(source=source))
    return (f"INSERT INTO {TARGET} BY NAME SELECT * EXCLUDE ({', '.join(RULE_INPUTS)}), "
            f"CASE WHEN rule_id IS NULL THEN 'loaded' ELSE 'quarantined' END AS status, now() AS ingested_at "
            f"FROM ({judged})")


def _read_files(loader: loading.Loader, files: list[RawFile]) -> None:
    """Every file's rows into the loader's target and Tally: CSV exports one by one, XML messages
    parsed (on both cores when there are many) and written as one stream."""
    loader.each([f for f in files if f.path.suffix.lower() == ".csv"], "CSV declaration files")
    xml_files = [f for f in files if f.path.suffix.lower() == ".xml"]
    if xml_files:
        loader.parsed(parsed(xml_files, JW323, COLUMNS), XML_SCHEMA, len(xml_files), "XML declaration files")


D09 = ResolvedRule("D09", "referentienummer already loaded for that provider with different content",
                   why="a reference is unique per provider; which version is right is for the provider to say")
DUPLICATE = ResolvedRule("duplicate", "identical to a line loaded before (same provider, reference and content)",
                         why="resent lines: counted and skipped, never paid twice")
# D09 and exact duplicates: the first loaded occurrence of (provider, reference) wins, looking at
# rows loaded in earlier runs (lower file_id) before this run's rows. Keys are compared as 64-bit
# hashes first, so only the few rows whose key repeats are ranked and compared in full.
REPEATED_KEYS_SQL = f"""
    CREATE OR REPLACE TEMP TABLE repeated_keys AS
    WITH new_keys AS (
        SELECT hash(provider_agb, reference_number) AS key FROM {TARGET} WHERE file_id >= $first AND status = 'loaded'
    )
    SELECT DISTINCT key FROM ({repeated_hashes_sql('SELECT key FROM new_keys {earlier}')})
"""
# only when earlier runs loaded rows: the semi-join against an empty past would still hash every new key
EARLIER_KEYS_SQL = f"""
    UNION ALL
    SELECT hash(provider_agb, reference_number) FROM {TARGET}
    WHERE file_id < $first AND status = 'loaded' AND hash(provider_agb, reference_number) IN (SELECT key FROM new_keys)
"""
CONTENT = ("municipality_code", "client_pseudonym", "previous_reference_number", "allocation_number",
           "product_category", "product_code", "period_start", "period_end", "delivered_volume", "unit",
           "tariff_cents", "amount_cents", "debit_credit")
_CONTENT_TEXT = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in CONTENT)
RESOLVE_SQL = f"""
    CREATE OR REPLACE TEMP TABLE resolved_declarations AS
    WITH keyed AS (
        SELECT file_id, line_no, provider_agb, reference_number, md5(concat_ws('|', {_CONTENT_TEXT})) AS content
        FROM {TARGET}
        WHERE status = 'loaded' AND hash(provider_agb, reference_number) IN (SELECT key FROM repeated_keys)
    ),
    ranked AS (
        SELECT *, row_number() OVER w AS rn, first_value(content) OVER w AS first_content,
               first_value(file_id) OVER w AS first_file, first_value(line_no) OVER w AS first_line
        FROM keyed WINDOW w AS (PARTITION BY provider_agb, reference_number ORDER BY file_id, line_no)
    )
    SELECT r.file_id, r.line_no, r.content = r.first_content AS identical, r.reference_number,
           f.source_file || ' line ' || r.first_line AS first_seen
    FROM ranked AS r JOIN registry.files AS f ON f.file_id = r.first_file
    WHERE r.file_id >= $first AND r.rn > 1
"""
MARK_REPEATS_SQL = f"""
    UPDATE {TARGET} AS t
    SET status = CASE WHEN r.identical THEN 'duplicate' ELSE 'quarantined' END,
        rule_id = CASE WHEN r.identical THEN NULL ELSE 'D09' END,
        message = mask_bsns(CASE WHEN r.identical THEN 'exact duplicate'
                       ELSE 'referentienummer ''' || r.reference_number || ''' was already loaded for this '
                            || 'provider with different content' END || ' (' || r.first_seen || ')')
    FROM resolved_declarations AS r
    WHERE t.file_id = r.file_id AND t.line_no = r.line_no
"""
COUNTS_SQL = update_counts_sql(TARGET)


def resolve_repeats(con: duckdb.DuckDBPyConnection, first: int) -> None:
    """Mark the repeated reference numbers of files from `first` on as exact duplicates or D09."""
    params = {"first": first}
    earlier = con.execute(f"SELECT count(*) FROM {TARGET} WHERE file_id < $first", params).fetchone()[0]
    con.execute(REPEATED_KEYS_SQL.format(earlier=EARLIER_KEYS_SQL if earlier else ""), params)
    if con.execute("SELECT count(*) FROM repeated_keys").fetchone()[0]:
        con.execute(RESOLVE_SQL, params)
        con.execute(MARK_REPEATS_SQL)
    for table in ("repeated_keys", "resolved_declarations"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def ingest_declarations(con: duckdb.DuckDBPyConnection, raw_dir: Path, max_file_bytes: int,
                        pseudonyms: Pseudonymiser,
                        progress: Callable[[str], None] = lambda _: None) -> IngestSummary:
    """Needs a connection from Warehouse.connect() (its tables exist) and the run's pseudonymiser."""
    files, summary = plan_run(con, raw_dir, "declarations", (".xml", ".csv"), max_file_bytes,
                              pseudonyms.mask_name)
    if not files:
        return summary
    progress(f"{len(files)} new declaration file(s) to read")
    first = min(f.file_id for f in files)
    with transaction(con):
        loader = loading.Loader(con, TARGET, _insert_sql, LAYOUT, pseudonyms, progress)
        _read_files(loader, files)
        register_run(con, files, "declarations", loader.tally.rejected)
        progress("resolving repeated reference numbers (D09 and exact duplicates)")
        resolve_repeats(con, first)
        set_rows_read(con, loader.tally.read)
        con.execute(COUNTS_SQL, {"first": first})
    summary.fill_from_registry(con, files, loader.tally.rejected)
    return summary
