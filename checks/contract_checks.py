"""Blocking asset checks: the staged and reference tables meet their GX suites and SQL rules.

ERROR severity and blocking: a failed suite stops the marts downstream in the same run, so the
BI file keeps yesterday's figures instead of publishing wrong ones. The reference check is a
check step after the ingestion of reference data, before any model is built. The two on staging
(`declaration_lines_meet_contract`, `outcome_responses_meet_contract`) are `StagingGate`s of the
one dbt step (assets/transform.py): one `dbt build` builds staging and marts together, so they
judge the rows the staging model is about to hold before dbt starts, and a failure keeps dbt
from building any mart (issue 39).
"""

import dagster as dg
import duckdb
import pandas as pd

from assets.ingest.assets import reference_data
from assets.ingest.redact import redact
from assets.transform import StagingGate
from checks.gx_runner import Finding, findings_markdown, run_suite
from checks.gx_suites import REFERENCE_SUITES, declaration_lines_suite, outcome_responses_suite
from checks.metadata import EXAMPLE_ROWS, examples
from checks.scope import judged_rows
from checks.sql_rules import no_bsn, nulls_and_ranges, unique_key
from foundation.fingerprint import Scope, new_since_publication
from foundation.warehouse import Warehouse

# What a person does about a staged row that breaks the contract: the row rules let it through,
# so it is loaded, and only a corrected file or a retraction takes it out again.
WHAT_TO_DO = ("The rows under offending_rows passed the row rules but break the contract, so the marts were not "
              "rebuilt and the BI file keeps its previous figures. Ask the provider for a corrected file, then "
              "retract the bad one: `make retract FILE=<source_file> REASON='...'` (or launch the retract_a_file job "
              "in the UI). The next run publishes again.")


def _result(findings: list[Finding], offending: pd.DataFrame | None = None,
            scope: Scope | None = None) -> dg.AssetCheckResult:
    failed = [f for f in findings if not f.passed]
    metadata = {
        **({"rows_judged": dg.MetadataValue.text(
                f"every row: {scope.reason}" if scope.everything else
                f"the rows of {scope.reason}; the rows judged before by their null and range rules only"),
            "rows_judged_in_full": findings[0].total_rows} if scope else {}),
        "checks_evaluated": len(findings),
        "checks_failed": len(failed),
        "unexpected_rows": sum(f.unexpected_rows for f in failed),
        "rows_checked": max((f.total_rows for f in findings), default=0),
        "results": dg.MetadataValue.md(findings_markdown(findings)),
    }
    if offending is not None and not offending.empty:
        metadata["offending_rows"] = examples(offending)
        metadata["what_to_do"] = dg.MetadataValue.text(WHAT_TO_DO)
    return dg.AssetCheckResult(passed=not failed, metadata=metadata)


def offending_rows(con: duckdb.DuckDBPyConnection, table: str, failed: list[Finding]) -> pd.DataFrame:
    """Where the failing values sit: source file and line of a few rows per failed expectation.

    GX reports values, not rows; each example value is looked up again, compared as text, as a
    number and as a timestamp, since GX shows it as pandas printed it (261600.0, 2014-03-01 00:00:00)."""
    parts = []
    for f in failed:
        if not f.column or not f.examples:
            continue
        column = f'"{f.column}"'
        values = [v for v in f.examples if v not in ("None", "nan", "NaT")]
        match = (f"CAST({column} AS VARCHAR) = v OR TRY_CAST({column} AS DOUBLE) = TRY_CAST(v AS DOUBLE) "
                 f"OR TRY_CAST({column} AS TIMESTAMP) = TRY_CAST(v AS TIMESTAMP)")
        nulls = f" OR {column} IS NULL" if len(values) < len(f.examples) else ""
        parts.append(con.execute(f"""
            SELECT source_file, source_line, ? AS "check", ? AS "column", CAST({column} AS VARCHAR) AS value
            FROM {table}
            WHERE EXISTS (SELECT 1 FROM unnest(?::VARCHAR[]) AS t(v) WHERE {match}){nulls}
            ORDER BY source_file, source_line LIMIT {EXAMPLE_ROWS}""", [f.check, f.column, values]).df())
    if not parts:
        return pd.DataFrame()
    rows = pd.concat(parts, ignore_index=True)
    rows["value"] = rows["value"].map(lambda v: "" if v is None else redact(v, limit=60))  # never show a BSN
    return rows


def judge_staged(warehouse: Warehouse, table: str, suite, full_rebuild: bool,
                 sql: str | None = None) -> dg.AssetCheckResult:
    """The suite and the SQL rules over the rows checks/scope.py picks: the new rows in full and the
    rows judged before by the suite's null and range rules; or every row in full. `sql`: the model's
    SELECT (assets/transform.py, `staged_sql`) when it is judged before dbt builds `table`; the rows
    are then read through it, and `table` names the key and the check."""
    columns, expectations = suite()
    with warehouse.connect() as con:
        relation = table
        if sql is not None:
            relation = f"staged_{table.replace('.', '_')}"
            con.execute(f"CREATE OR REPLACE TEMP VIEW {relation} AS {sql}")
        scope = new_since_publication(con, full_rebuild)
        judged = judged_rows(con, relation, scope)
        findings = run_suite(con, judged, columns, expectations)
        findings += [unique_key(con, table, None if scope.everything else judged, relation=relation),
                     no_bsn(con, relation, None if scope.everything else judged)]
        if not scope.everything:
            findings.append(nulls_and_ranges(con, judged_rows(con, relation, scope, before=True), expectations))
        offending = offending_rows(con, relation, [f for f in findings if not f.passed])
    return _result(findings, offending, scope)


def _staging_gate(table: str, suite, description: str) -> StagingGate:
    """The contract of a staging model as a gate of the dbt step (assets/transform.py)."""
    model = table.split(".", 1)[1]
    return StagingGate(
        spec=dg.AssetCheckSpec(f"{model}_meet_contract", asset=model, blocking=True, description=description),
        judge=lambda warehouse, sql, full_rebuild: judge_staged(warehouse, table, suite, full_rebuild, sql))


# the blocking checks on staging, judged before the one dbt build (pipelines/definitions.py hands them to it)
STAGING_GATES = [
    _staging_gate("staging.declaration_lines", declaration_lines_suite,
                  "GX suite (schema, not-null keys, JZ020/WJ756/D-C code lists, dates from the Jeugdwet (2015) to "
                  "today, amounts and volumes within the bounds of rule D11, which quarantines a row outside them "
                  "before it gets here, pseudonym = 32 hex characters) plus unique (provider, referentienummer) and no "
                  "elfproef-valid 9-digit value in any text column but the iJw's identifiers (which may pass the "
                  "elfproef by chance; ingestion masked the row's own BSN in them), reported by file, line and "
                  "column. Over the rows new since the last publish, and the null and range rules over the rows "
                  "before; every row in full after a full rebuild, new code or a retraction (checks/scope.py). "
                  "Judged in the dbt step before dbt starts, on the rows the model is about to hold: a failure "
                  "builds staging and no mart."),
    _staging_gate("staging.outcome_responses", outcome_responses_suite,
                  "GX suite (schema, keys, satisfaction 1-10, self-reliance 01-04, JZ588, CBS 01-05, COD327, dates, "
                  "pseudonym format) plus one response per trajectory and informant, and no raw BSN, reported by "
                  "file, line and column. Over the rows new since the last publish, and the null and range rules "
                  "over the rows before (checks/scope.py). Judged in the dbt step before dbt starts, on the rows the "
                  "model is about to hold: a failure builds staging and no mart."),
]


@dg.asset_check(asset=reference_data, blocking=True,
                description="GX suites for every reference table (codes, 0-17 population >= 0, NJi levels, norms) "
                "plus unique keys: wrong reference data skews every per-inhabitant figure.")
def reference_data_meets_contract(warehouse: Warehouse) -> dg.AssetCheckResult:
    findings: list[Finding] = []
    with warehouse.connect() as con:
        for table, (columns, expectations) in REFERENCE_SUITES.items():
            for f in [*run_suite(con, table, columns, expectations), unique_key(con, table)]:
                findings.append(Finding(f"{table}: {f.check}", f.column, f.unexpected_rows, f.total_rows,
                                        f.examples))
    return _result(findings)


contract_checks = [reference_data_meets_contract]
