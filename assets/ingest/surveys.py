"""Ingest new outcome-record files (CSV and XLSX) into raw.survey_rows.

Every row read ends loaded or quarantined (S01-S09). S09 depends on all responses ever loaded
(a later file may bring a newer response for the same trajectory and informant), so it is
re-resolved over the whole table at each run and the registry's counts follow; per file,
rows read = loaded + quarantined always holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from assets.ingest import loading
from assets.ingest.files import IngestSummary, plan_run, register_run, set_rows_read
from assets.ingest.row_rules import ResolvedRule, judged_sql
from assets.ingest.survey_rules import SURVEY_RULES
from assets.ingest.xlsx_source import DEFAULT_LIMITS, XlsxLimits
from foundation.pseudonyms import Pseudonymiser
from foundation.sql import transaction

COLUMNS = (
    "response_id", "aanbieder_agb", "gemeentecode", "bsn", "toewijzingnummer", "productcategorie", "verwijzer",
    "startdatum", "einddatum", "reden_beeindiging", "informant", "invuldatum", "tevredenheid",
    "zonder_hulp_verder", "instrument", "score_begin", "score_eind",
)
LAYOUT = loading.Layout(COLUMNS, optional=("instrument", "score_begin", "score_eind"))
NORMALISE_SQL = (Path(__file__).parent / "normalise_surveys.sql").read_text()
TYPED = ("response_id", "provider_agb", "municipality_code", "client_pseudonym", "allocation_number",
         "product_category", "referrer", "start_date", "end_date", "end_reason", "informant", "filled_date",
         "satisfaction", "self_reliance", "instrument", "score_begin", "score_end")


S09 = ResolvedRule(
    "S09", "superseded by a later response for the same trajectory and informant",
    why="one measurement per informant and trajectory: of the responses for (municipality, allocation number, "
    "informant) the latest invuldatum wins (on a tie the later file, then the later line); re-resolved at every run, "
    "so a later file can supersede an earlier one")
SUPERSEDE_SQL = """
UPDATE raw.survey_rows SET status = 'loaded', rule_id = NULL, message = NULL WHERE rule_id = 'S09';
UPDATE raw.survey_rows AS r
SET status = 'quarantined', rule_id = 'S09',
    message = 'superseded by a later response for the same trajectory and informant ('
              || f.source_file || ' line ' || w.winner_line || ', invuldatum ' || w.winner_date || ')'
FROM (
    SELECT file_id, line_no, row_number() OVER w AS rn,
           first_value(file_id) OVER w AS winner_file, first_value(line_no) OVER w AS winner_line,
           first_value(filled_date) OVER w AS winner_date
    FROM raw.survey_rows WHERE status = 'loaded'
    WINDOW w AS (PARTITION BY municipality_code, allocation_number, informant
                 ORDER BY filled_date DESC, file_id DESC, line_no DESC)
) AS w
JOIN registry.files AS f ON f.file_id = w.winner_file
WHERE w.rn > 1 AND r.file_id = w.file_id AND r.line_no = w.line_no;
UPDATE registry.files AS f SET rows_loaded = s.loaded, rows_quarantined = s.quarantined
FROM (
    SELECT file_id, count(*) FILTER (WHERE status = 'loaded') AS loaded,
           count(*) FILTER (WHERE status = 'quarantined') AS quarantined
    FROM raw.survey_rows GROUP BY file_id
) AS s
WHERE f.file_id = s.file_id;
"""


def _incoming_ddl() -> str:
    empty = ", ".join(f"NULL::VARCHAR AS {c}" for c in COLUMNS if c != "bsn")
    source = (f"SELECT NULL::INTEGER AS file_id, NULL::BIGINT AS line_no, {empty}, "
              "NULL::VARCHAR AS bsn_elsewhere, NULL::VARCHAR AS client_pseudonym, NULL::BOOLEAN AS bsn_valid "
              "WHERE false")
    return f"CREATE OR REPLACE TEMP TABLE incoming_surveys AS {NORMALISE_SQL.format(source=source)}"


def _insert_sql(source: str) -> str:
    """Normalised into the run's staging table; the rules judge the whole run at once (S09)."""
    return f"INSERT INTO incoming_surveys {NORMALISE_SQL.format(source=source)}"


def ingest_surveys(con: duckdb.DuckDBPyConnection, raw_dir: Path, max_file_bytes: int, pseudonyms: Pseudonymiser,
                   progress: Callable[[str], None] = lambda _: None,
                   xlsx_limits: XlsxLimits = DEFAULT_LIMITS) -> IngestSummary:
    """Needs a connection from Warehouse.connect() (its tables exist) and the run's pseudonymiser."""
    files, summary = plan_run(con, raw_dir, "surveys", (".csv", ".xlsx"), max_file_bytes,
                              pseudonyms.mask_name)
    if not files:
        return summary
    con.execute(_incoming_ddl())
    loader = loading.Loader(con, "incoming_surveys", _insert_sql, LAYOUT, pseudonyms, progress, xlsx_limits)
    loader.each(files, "survey files")
    typed = ", ".join(TYPED)
    with transaction(con):
        register_run(con, files, "surveys", loader.tally.rejected)
        con.execute(f"""
            INSERT INTO raw.survey_rows
            SELECT file_id, line_no, {typed},
                   CASE WHEN rule_id IS NULL THEN 'loaded' ELSE 'quarantined' END, rule_id, message, now()
            FROM ({judged_sql(SURVEY_RULES, "SELECT * FROM incoming_surveys")})
        """)
        set_rows_read(con, loader.tally.read)
        con.execute(SUPERSEDE_SQL)
    con.execute("DROP TABLE IF EXISTS incoming_surveys")
    summary.fill_from_registry(con, files, loader.tally.rejected)
    return summary
