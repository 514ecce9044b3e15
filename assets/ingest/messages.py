"""Ingest the municipality's own iJw messages: JW301 allocations, JW305 care starts and JW307
care stops, from raw/allocations/, raw/care_starts/ and raw/care_stops/.

The same untrusted-file handling and accounting as declarations: every record read ends loaded,
quarantined (with a rule id and a readable message) or duplicate (the same content loaded
before, for example a message sent twice). A later message about the same allocation is loaded
too: staging takes the latest (a JW301 with a RedenWijziging replaces the earlier allocation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest import loading
from assets.ingest.files import IngestSummary, plan_run, register_run, set_rows_read, update_counts_sql
from assets.ingest.row_rules import (
    JEUGDWET_START,
    ResolvedRule,
    RowRule,
    bsn_elsewhere_rule,
    elfproef_rule,
    judged_sql,
    known_municipality_rule,
)
from assets.ingest.xml_reader import parsed
from assets.ingest.xml_source import MessageSpec, arrow_schema
from foundation.pseudonyms import Pseudonymiser
from foundation.schema import ALLOCATION_ROWS, CARE_START_ROWS, CARE_STOP_ROWS
from foundation.sql import transaction

NORMALISE_SQL = (Path(__file__).parent / "normalise_messages.sql").read_text()
_IDS = {"Identificatie": "bericht_id", "Dagtekening": "dagtekening"}
_RECORD = {"ToewijzingNummer": "toewijzingnummer", "Categorie": "productcategorie", "Code": "productcode"}
_TO_PROVIDER = {"Afzender": "gemeentecode", "Ontvanger": "aanbieder_agb"}  # JW301: the municipality sends
_TO_MUNICIPALITY = {"Afzender": "aanbieder_agb", "Ontvanger": "gemeentecode"}  # JW305/JW307: the provider sends


@dataclass(frozen=True)
class MessageKind:
    kind: str  # the folder under raw/ and the registry's kind
    spec: MessageSpec
    target: str  # the raw table
    typed: str  # SQL: the kind's own columns, typed (normalise_messages.sql's {kind_columns})
    rules: tuple[RowRule, ...]
    label: str  # for progress lines

    def insert_sql(self, source: str) -> str:
        """Normalise, judge and write in one pass: a row lands with its status and first failing rule."""
        judged = judged_sql(self.rules, NORMALISE_SQL.format(kind_columns=self.typed, source=source))
        return (f"INSERT INTO {self.target} BY NAME SELECT * EXCLUDE (bsn_valid, bsn_elsewhere), "
                f"CASE WHEN rule_id IS NULL THEN 'loaded' ELSE 'quarantined' END AS status, now() AS ingested_at "
                f"FROM ({judged})")


# The bounds of rule A05: with them an allocation's units (volume x days, over at most 25 years) times
# the highest tariff D11 lets through stays far inside the DECIMAL(18, 2) that allocation control publishes.
MAX_ALLOCATED_VOLUME = 100_000  # per day, week, month or in total (Frequentie)
MAX_BUDGET_CENTS = 1_000_000_000  # EUR 10 million
MAX_ALLOCATION_YEARS = 25


def _dates_rule(rule_id: str, why: str, *columns: str) -> RowRule:
    """A date of a care start or stop before the Jeugdwet or after the ingestion date: a typing error."""
    bad = " OR ".join(f"{c} < DATE '{JEUGDWET_START}' OR {c} > current_date" for c in columns)
    what = " || ' / ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '-')" for c in columns)
    return RowRule(rule_id, "a date before the Jeugdwet or after the ingestion date", bad,
                   f"'date ' || {what} || ' lies before the Jeugdwet ({JEUGDWET_START}) or after ' || current_date",
                   why=why)


ALLOCATIONS = MessageKind(
    kind="allocations",
    spec=MessageSpec("JW301", "ToegewezenProduct", header=_TO_PROVIDER, ids=_IDS, age_from="ingangsdatum", fields={
        **_RECORD, "Toewijzingsdatum": "toewijzingsdatum", "Ingangsdatum": "ingangsdatum", "Einddatum": "einddatum",
        "RedenWijziging": "reden_wijziging", "Volume": "volume", "Eenheid": "eenheid", "Frequentie": "frequentie",
        "Budget": "budget"}),
    target=ALLOCATION_ROWS,
    typed="""parse_date(ingangsdatum) AS allocation_start,
    parse_date(toewijzingsdatum) AS allocated_on,
    parse_date(einddatum) AS allocation_end,
    reden_wijziging AS change_reason,
    whole_int(volume) AS volume,
    pad_code(eenheid, 2) AS unit,
    frequentie AS frequency,
    whole_int(budget) AS budget_cents""",
    rules=(
        bsn_elsewhere_rule("A04"),
        elfproef_rule("A01", why="the allocation would belong to a phantom child"),
        known_municipality_rule("A02", why="the allocation must belong to a real municipality (the JW301's Afzender)"),
        RowRule("A03", "allocation ends before it starts", "allocation_end < allocation_start",
                "'einddatum ' || allocation_end || ' lies before ingangsdatum ' || allocation_start",
                why="an impossible allocation period: allocation control would judge every declaration against it"),
        RowRule("A05", "a volume, budget or period beyond the bounds an allocation can hold",
                f"volume > {MAX_ALLOCATED_VOLUME} OR budget_cents > {MAX_BUDGET_CENTS} "
                f"OR allocation_start < DATE '{JEUGDWET_START}' "
                f"OR allocation_end > allocation_start + INTERVAL {MAX_ALLOCATION_YEARS} YEAR",
                f"CASE WHEN volume > {MAX_ALLOCATED_VOLUME} THEN 'volume ' || volume || ' is above the bound of "
                f"{MAX_ALLOCATED_VOLUME:,}' WHEN budget_cents > {MAX_BUDGET_CENTS} THEN 'budget ' || budget_cents || "
                f"' eurocents is above the bound of {MAX_BUDGET_CENTS:,}' "
                f"WHEN allocation_start < DATE '{JEUGDWET_START}' THEN 'ingangsdatum ' || allocation_start || "
                f"' lies before the Jeugdwet ({JEUGDWET_START})' "
                f"ELSE 'the allocation runs longer than {MAX_ALLOCATION_YEARS} years' END",
                why=f"volume above {MAX_ALLOCATED_VOLUME:,} (per day, week, month or in total), budget above EUR "
                f"{MAX_BUDGET_CENTS // 100:,}, a start before the Jeugdwet ({JEUGDWET_START}) or a period longer than "
                f"{MAX_ALLOCATION_YEARS} years: an allocation's money value (units over its period times the highest "
                "tariff) must fit the types the allocation control table publishes; beyond these it is a typing error"),
    ),
    label="allocation messages (JW301)",
)
_STARTED = {**_RECORD, "ToewijzingIngangsdatum": "toewijzing_ingangsdatum", "Begindatum": "begindatum",
            "StatusAanlevering": "status_aanlevering"}
CARE_STARTS = MessageKind(
    kind="care_starts",
    spec=MessageSpec("JW305", "StartProduct", header=_TO_MUNICIPALITY, ids=_IDS, age_from="begindatum",
                     fields=_STARTED),
    target=CARE_START_ROWS,
    typed="""parse_date(toewijzing_ingangsdatum) AS allocation_start,
    parse_date(begindatum) AS start_date,
    status_aanlevering AS delivery_status""",
    rules=(
        bsn_elsewhere_rule("B04"),
        elfproef_rule("B01"),
        known_municipality_rule("B02", why="the care must belong to a real municipality (the JW305's Ontvanger)"),
        RowRule("B03", "care starts before its allocation does", "start_date < allocation_start",
                "'begindatum ' || start_date || ' lies before the allocation''s ingangsdatum ' || allocation_start",
                why="iJw does not allow a start before the allocation's Ingangsdatum; the trajectory's start would be "
                "wrong"),
        _dates_rule("B05", "a typing error: the trajectory's start and its duration would be wrong", "start_date"),
    ),
    label="care-start messages (JW305)",
)
CARE_STOPS = MessageKind(
    kind="care_stops",
    spec=MessageSpec("JW307", "StopProduct", header=_TO_MUNICIPALITY, ids=_IDS, age_from="begindatum",
                     fields={**_STARTED, "RedenBeeindiging": "reden_beeindiging", "Einddatum": "einddatum"}),
    target=CARE_STOP_ROWS,
    typed="""parse_date(toewijzing_ingangsdatum) AS allocation_start,
    parse_date(begindatum) AS start_date,
    parse_date(einddatum) AS end_date,
    pad_code(reden_beeindiging, 2) AS end_reason,
    status_aanlevering AS delivery_status""",
    rules=(
        bsn_elsewhere_rule("E04"),
        elfproef_rule("E01"),
        known_municipality_rule("E02", why="the care must belong to a real municipality (the JW307's Ontvanger)"),
        RowRule("E03", "care ends before it starts", "end_date < start_date",
                "'einddatum ' || end_date || ' lies before begindatum ' || start_date",
                why="an impossible trajectory: its duration would be negative"),
        _dates_rule("E05", "a typing error: the trajectory's start, end and duration would be wrong",
                    "start_date", "end_date"),
    ),
    label="care-stop messages (JW307)",
)
MESSAGE_KINDS = (ALLOCATIONS, CARE_STARTS, CARE_STOPS)
# resolved by mark_duplicates below, over the records loaded before
DUPLICATE = ResolvedRule(
    "duplicate", "a record whose content (everything but the message's identification and date) equals a record "
    "loaded before", why="a message sent twice: counted and skipped; a later message with other content about the "
    "same allocation is loaded, and staging takes the latest")


def _content(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """SQL hashing what a record says: every typed column but where and when it was sent."""
    skip = {"file_id", "line_no", "message_id", "message_date", "status", "rule_id", "message", "ingested_at"}
    schema, name = table.split(".")
    columns = [c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index", [schema, name]).fetchall() if c not in skip]
    return "md5(concat_ws('|', " + ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in columns) + "))"


def mark_duplicates(con: duckdb.DuckDBPyConnection, kind: MessageKind, first: int) -> None:
    """Rows of files from `first` on that repeat a loaded row's content become duplicates of the
    earliest one (earlier files first, then earlier lines); the registry's counts follow."""
    content = _content(con, kind.target)
    con.execute(f"""
        UPDATE {kind.target} AS t
        SET status = 'duplicate', message = 'exact duplicate of ' || f.source_file || ' line ' || d.first_line
        FROM (
            SELECT file_id, line_no, row_number() OVER w AS rn, first_value(file_id) OVER w AS first_file,
                   first_value(line_no) OVER w AS first_line
            FROM (
                -- only rows about an allocation the new files mention can repeat one: hash just those
                SELECT file_id, line_no, {content} AS content FROM {kind.target}
                WHERE status = 'loaded' AND hash(municipality_code, allocation_number) IN (
                    SELECT hash(municipality_code, allocation_number) FROM {kind.target} WHERE file_id >= $first)
            )
            WHERE content IN (SELECT {content} FROM {kind.target} WHERE file_id >= $first AND status = 'loaded')
            WINDOW w AS (PARTITION BY content ORDER BY file_id, line_no)
        ) AS d
        JOIN registry.files AS f ON f.file_id = d.first_file
        WHERE d.rn > 1 AND d.file_id >= $first AND t.file_id = d.file_id AND t.line_no = d.line_no""",
                {"first": first})
    con.execute(update_counts_sql(kind.target), {"first": first})


def ingest_messages(con: duckdb.DuckDBPyConnection, kind: MessageKind, raw_dir: Path, max_file_bytes: int,
                    pseudonyms: Pseudonymiser, progress: Callable[[str], None] = lambda _: None) -> IngestSummary:
    """Needs a connection from Warehouse.connect() (its tables exist) and the run's pseudonymiser."""
    files, summary = plan_run(con, raw_dir, kind.kind, (".xml",), max_file_bytes, pseudonyms.mask_name)
    if not files:
        return summary
    progress(f"{len(files)} new {kind.label} to read")
    first = min(f.file_id for f in files)
    columns = kind.spec.columns
    with transaction(con):
        loader = loading.Loader(con, kind.target, kind.insert_sql, loading.Layout(columns), pseudonyms, progress)
        loader.parsed(parsed(files, kind.spec, columns), arrow_schema(columns), len(files), kind.label)
        register_run(con, files, kind.kind, loader.tally.rejected)
        set_rows_read(con, loader.tally.read)
        mark_duplicates(con, kind, first)
    summary.fill_from_registry(con, files, loader.tally.rejected)
    return summary
