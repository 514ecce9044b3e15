"""Dagster assets of the ingest layer."""


from pathlib import Path

import dagster as dg
import pandas as pd

from assets.ingest.declarations import ingest_declarations
from assets.ingest.files import IngestSummary, outstanding_rejections, quarantined_above
from assets.ingest.messages import MESSAGE_KINDS, MessageKind, ingest_messages
from assets.ingest.reference import load_reference
from assets.ingest.surveys import ingest_surveys
from assets.ingest.xlsx_source import XlsxLimits
from foundation.alerts import quarantined_files_alert, rejected_files_alert, rejected_md, send
from foundation.asset_groups import INGEST
from foundation.fingerprint import loaded_rows_version, reference_version
from foundation.schema import DECLARATION_ROWS, SURVEY_ROWS
from foundation.settings import load_settings
from foundation.sql import metadata_table
from foundation.warehouse import Warehouse

OWNERS = ["team:data"]


@dg.asset(group_name=INGEST, kinds={"duckdb"}, owners=OWNERS,
          description="Reference tables (municipalities, population 0-17, providers, provider financials, "
          "products with NJi level, instrument norms, iJw code lists): files in raw/reference/ override the "
          "shipped defaults.")
def reference_data(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        report = load_reference(con, warehouse.raw_dir)
        version = reference_version(con)
    for table, info in report.items():
        context.log.info(f"ref.{table}: {info['rows']} rows from {info['source']}")
        if "note" in info:
            context.log.warning(f"ref.{table}: dropped file rejected ({info['note']})")
    md = "| table | source | rows |\n|---|---|---|\n" + "".join(
        f"| ref.{t} | {i['source']} | {i['rows']} |\n" for t, i in report.items())
    return dg.MaterializeResult(metadata={"tables": dg.MetadataValue.md(md)}, data_version=dg.DataVersion(version))


@dg.asset(group_name=INGEST, kinds={"duckdb"}, owners=OWNERS, deps=[reference_data],
          description="New provider declaration files (iJw JW323 XML and CSV exports) from raw/declarations/, "
          "validated row by row (rules D01-D09) and pseudonymised, into raw.declaration_rows with lineage. "
          "Files already seen (same SHA-256) are not read again.")
def raw_declarations(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        summary = ingest_declarations(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser(),
                                      progress=context.log.info)
        total = con.execute(f"SELECT count(*) FROM {DECLARATION_ROWS}").fetchone()[0]
        waiting = outstanding_rejections(con, "declarations")
        held = quarantined_above(con, "declarations", DECLARATION_ROWS, warehouse.quarantine_rate_warn,
                                 summary.file_ids)
        version = loaded_rows_version(con, "declarations")
    return _report(context, warehouse, "declarations", summary, total, waiting, held, version)


@dg.asset(group_name=INGEST, kinds={"duckdb"}, owners=OWNERS, deps=[reference_data],
          description="New outcome-record files (national outcome set, CSV and XLSX) from raw/surveys/, validated "
          "row by row (rules S01-S09) and pseudonymised, into raw.survey_rows with lineage.")
def raw_surveys(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        limits = XlsxLimits(warehouse.xlsx_max_unpacked_mb * 1024**2, warehouse.xlsx_max_rows)
        summary = ingest_surveys(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser(),
                                 progress=context.log.info, xlsx_limits=limits)
        total = con.execute(f"SELECT count(*) FROM {SURVEY_ROWS}").fetchone()[0]
        waiting = outstanding_rejections(con, "surveys")
        held = quarantined_above(con, "surveys", SURVEY_ROWS, warehouse.quarantine_rate_warn, summary.file_ids)
        version = loaded_rows_version(con, "surveys")
    return _report(context, warehouse, "surveys", summary, total, waiting, held, version)


def _message_asset(kind: MessageKind) -> dg.AssetsDefinition:
    @dg.asset(name=f"raw_{kind.kind}", group_name=INGEST, kinds={"duckdb"}, owners=OWNERS, deps=[reference_data],
              description=f"New {kind.label} from raw/{kind.kind}/ (XML, XSD-validated), checked row by row "
              f"(rules {kind.rules[0].rule_id}-{kind.rules[-1].rule_id}) and pseudonymised, into {kind.target} "
              "with lineage. No name, address, contact detail or birth date is stored: the birth date becomes "
              "the age at the start.")
    def ingest(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            summary = ingest_messages(con, kind, warehouse.raw_dir, warehouse.max_file_bytes,
                                      warehouse.pseudonymiser(), progress=context.log.info)
            total = con.execute(f"SELECT count(*) FROM {kind.target}").fetchone()[0]
            waiting = outstanding_rejections(con, kind.kind)
            held = quarantined_above(con, kind.kind, kind.target, warehouse.quarantine_rate_warn, summary.file_ids)
            version = loaded_rows_version(con, kind.kind)
        return _report(context, warehouse, kind.kind, summary, total, waiting, held, version)

    return ingest


MESSAGE_ASSETS = [(k, _message_asset(k)) for k in MESSAGE_KINDS]  # each kind with the asset that ingests it
raw_allocations, raw_care_starts, raw_care_stops = (asset for _, asset in MESSAGE_ASSETS)


def _report(context: dg.AssetExecutionContext, warehouse: Warehouse, kind: str, s: IngestSummary, total: int,
            waiting: pd.DataFrame, held: pd.DataFrame, version: str) -> dg.MaterializeResult:
    """Log and attach what an ingestion did, in the terms of the accounting identity, and every
    rejected file still waiting for a corrected delivery or a retraction (not only this run's).
    A file of this run that was refused, or that loaded with more of its lines quarantined than the
    threshold, is alerted now, from this step: the team hears of it while the run goes on."""
    for reason in s.rejected:
        context.log.warning(f"rejected {reason}")
    alerts = _alert(context, warehouse, kind, s, held)
    if len(waiting) > len(s.rejected):
        context.log.warning(f"{len(waiting)} rejected file(s) wait for a corrected delivery or a retraction "
                            "(see rejected_files_waiting)")
    context.log.info(
        f"{s.files_new} new file(s): {s.files_loaded} loaded, {s.files_rejected} rejected; "
        f"{s.files_already_loaded} re-dropped; rows read {s.rows_read:,} = loaded {s.rows_loaded:,} + "
        f"quarantined {s.rows_quarantined:,} + duplicates {s.rows_duplicate:,}"
    )
    return dg.MaterializeResult(metadata={
        "files_new": s.files_new, "files_loaded": s.files_loaded, "files_rejected": s.files_rejected,
        "files_already_loaded": s.files_already_loaded, "rows_read": s.rows_read, "rows_loaded": s.rows_loaded,
        "rows_quarantined": s.rows_quarantined, "rows_duplicate": s.rows_duplicate,
        "rejected_files": dg.MetadataValue.md(rejected_md(s.rejected)),
        "rejected_files_waiting": metadata_table(waiting),
        "dagster/row_count": dg.MetadataValue.int(total),
        "alerts_sent": dg.MetadataValue.text(", ".join(alerts) or "none"),
    }, data_version=dg.DataVersion(version))


def _alert(context: dg.AssetExecutionContext, warehouse: Warehouse, kind: str, s: IngestSummary,
           held: pd.DataFrame) -> list[str]:
    """The alerts of this run's files (foundation/alerts.py), in the warehouse's data folder."""
    if not s.rejected and held.empty:
        return []
    settings, folder = load_settings(), Path(warehouse.data_dir) / "alerts"
    alerts = []
    if s.rejected:
        alerts.append(rejected_files_alert(kind, s.rejected, context.run_id, settings))
    if not held.empty:
        files = [(r.source_file, r.rows_read, r.rows_quarantined, r.main_rule or "?") for r in held.itertuples()]
        alerts.append(quarantined_files_alert(kind, files, warehouse.quarantine_rate_warn, context.run_id, settings))
    sent = [send(alert, settings, folder).name for alert in alerts]
    context.log.warning(f"alert sent: {', '.join(sent)} (alerts/ and the webhook, when set)")
    return sent
