"""Reference tables: the shipped defaults, overridden by files the data team drops in raw/reference/.

A dropped file that is unreadable or lacks the contract's columns is rejected in the registry
and the shipped default stays in force, so a bad upload never empties a dimension.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest.csv_source import READ_ERRORS, inspect_csv, text_table
from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.declarations import D09
from assets.ingest.files import UNREAD, Listed, next_file_id, register
from assets.ingest.messages import MESSAGE_KINDS
from assets.ingest.redact import redact
from assets.ingest.survey_rules import SURVEY_RULES
from assets.ingest.surveys import S09
from foundation.reference_data import REFERENCE_DIR

REFERENCE_MAX_BYTES = 256 * 1024**2  # the largest, the provider list, is a few MB at national scale


@dataclass(frozen=True)
class ReferenceTable:
    table: str
    file: str
    columns: tuple[str, ...]
    select: str  # SQL over the file's text columns, producing the typed table


REFERENCE_TABLES = (
    ReferenceTable("municipalities", "gemeenten.csv", ("gemeentecode", "gemeentenaam", "provincie", "jeugdzorgregio"),
                   "SELECT pad_code(gemeentecode, 4) AS municipality_code, gemeentenaam AS municipality_name, "
                   "provincie AS province, jeugdzorgregio AS youth_care_region FROM src"),
    ReferenceTable("population", "population.csv", ("gemeentecode", "jaar", "inwoners_0_17"),
                   "SELECT pad_code(gemeentecode, 4) AS municipality_code, CAST(jaar AS INTEGER) AS year, "
                   "CAST(inwoners_0_17 AS BIGINT) AS youth_population FROM src"),
    ReferenceTable("providers", "providers.csv", ("aanbieder_agb", "naam"),
                   "SELECT pad_code(aanbieder_agb, 8) AS provider_agb, naam AS provider_name FROM src"),
    ReferenceTable("provider_financials", "provider_financials.csv",
                   ("aanbieder_agb", "jaar", "omzet_eur", "bedrijfsresultaat_eur"),
                   "SELECT pad_code(aanbieder_agb, 8) AS provider_agb, CAST(jaar AS INTEGER) AS year, "
                   "CAST(omzet_eur AS DECIMAL(18,2)) AS revenue_eur, "
                   "CAST(bedrijfsresultaat_eur AS DECIMAL(18,2)) AS operating_result_eur FROM src"),
    ReferenceTable("products", "products.csv",
                   ("productcode", "productcategorie", "omschrijving", "interventie", "nji_erkenning"),
                   "SELECT productcode AS product_code, pad_code(productcategorie, 2) AS product_category, "
                   "omschrijving AS product_description, interventie AS intervention, "
                   "lower(nji_erkenning) AS nji_recognition FROM src"),
    # groups of municipalities (an audit group, a purchasing region): foundation/reference_data/gemeentegroepen.md
    ReferenceTable("municipality_groups", "gemeentegroepen.csv", ("groepcode", "groepnaam", "soort", "gemeentecode"),
                   "SELECT trim(groepcode) AS group_code, trim(groepnaam) AS group_name, trim(soort) AS group_kind, "
                   "pad_code(gemeentecode, 4) AS municipality_code FROM src"),
    ReferenceTable("instrument_norms", "instrument_norms.csv", ("instrument", "lower_is_better", "sd", "reliability"),
                   "SELECT instrument, CAST(lower_is_better AS BOOLEAN) AS lower_is_better, "
                   "CAST(sd AS DOUBLE) AS sd, CAST(reliability AS DOUBLE) AS reliability FROM src"),
)
CODE_LISTS = (
    ("product_categories", "ijw/jz020_productcategorie.csv"),
    ("units", "ijw/wj756_eenheid.csv"),
    ("end_reasons", "ijw/jz588_reden_beeindiging.csv"),
    ("referrers", "ijw/cod327_verwijzer.csv"),
)


def _load(con: duckdb.DuckDBPyConnection, t: ReferenceTable, path: Path) -> int:
    layout = inspect_csv(path, t.columns)
    con.register("reference_rows", text_table(path, layout, t.columns))
    try:
        con.execute(f"CREATE OR REPLACE TABLE ref.{t.table} AS WITH src AS (SELECT * FROM reference_rows) {t.select}")
    finally:
        con.unregister("reference_rows")
    return con.execute(f"SELECT count(*) FROM ref.{t.table}").fetchone()[0]


def _load_rules(con: duckdb.DuckDBPyConnection) -> None:
    """ref.rules: every quarantine rule id with what it means, from the code that enforces it, so
    a BI user reading the quarantine counts per rule sees a description, not only an id."""
    rules = [(r.rule_id, "declarations", r.title) for r in (*DECLARATION_RULES, D09)]
    rules += [(r.rule_id, "surveys", r.title) for r in (*SURVEY_RULES, S09)]
    rules += [(r.rule_id, k.kind, r.title) for k in MESSAGE_KINDS for r in k.rules]
    con.execute("CREATE OR REPLACE TABLE ref.rules (rule_id VARCHAR PRIMARY KEY, applies_to VARCHAR, title VARCHAR)")
    con.executemany("INSERT INTO ref.rules VALUES (?, ?, ?)", rules)


def load_reference(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, dict]:
    """Build every ref.* table; report per table where it came from and how many rows it has."""
    report: dict[str, dict] = {}
    for t in REFERENCE_TABLES:
        dropped = raw_dir / "reference" / t.file
        source, note = "shipped default", None
        if os.path.lexists(dropped):  # a link is looked at (and refused), never followed
            listed = Listed(dropped, f"reference/{t.file}", os.lstat(dropped))
            sha, problem = listed.fingerprint(REFERENCE_MAX_BYTES)
            known = con.execute("SELECT status FROM registry.files WHERE source_file = ? AND sha256 = ? AND "
                                "(sha256 <> ? OR (size_bytes = ? AND modified_ns = ?))",
                                [listed.source_file, sha, UNREAD, listed.stat.st_size, listed.stat.st_mtime_ns]
                                ).fetchone()
            rows = 0
            if problem is not None:
                status, message = "rejected", f"{problem}; using the shipped default"
            else:
                try:
                    rows = _load(con, t, dropped)
                    source, status, message = listed.source_file, "loaded", None
                except (*READ_ERRORS, duckdb.Error) as exc:
                    status, message = "rejected", redact(f"{exc}; using the shipped default")
            if status == "rejected":
                note = message
            if known is None:
                register(con, next_file_id(con), listed.source_file, sha, "reference", status, message, rows=rows,
                         stat=listed.stat)
            if status == "loaded":
                report[t.table] = {"source": source, "rows": rows}
                continue
        rows = _load(con, t, REFERENCE_DIR / t.file)
        report[t.table] = {"source": source, "rows": rows, **({"note": note} if note else {})}
    for table, rel in CODE_LISTS:
        con.execute(f"CREATE OR REPLACE TABLE ref.{table} AS SELECT * FROM read_csv(?, all_varchar=true, header=true)",
                    [str(REFERENCE_DIR / rel)])
    _load_rules(con)
    con.execute(
        "CREATE OR REPLACE TABLE ref.end_reason_cbs AS SELECT jz588_code AS end_reason, "
        "nullif(cbs_code, '') AS cbs_code, cbs_omschrijving AS cbs_description, "
        "CAST(counts_as_ended AS BOOLEAN) AS counts_as_ended FROM read_csv(?, all_varchar=true, header=true)",
        [str(REFERENCE_DIR / "ijw/jz588_to_cbs_reden.csv")],
    )
    return report
