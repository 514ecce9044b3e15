"""Blocking asset checks: the staged and reference tables meet their GX suites and SQL rules.

ERROR severity and blocking=True: a failed suite stops the marts downstream in the same run,
so the BI file keeps yesterday's figures instead of publishing wrong ones.
"""

import dagster as dg

from assets.ingest.assets import reference_data
from checks.gx_runner import Finding, findings_markdown, run_suite
from checks.gx_suites import REFERENCE_SUITES, declaration_lines_suite, outcome_responses_suite
from checks.sql_rules import no_bsn, unique_key
from pipelines.core.warehouse import Warehouse


def _result(findings: list[Finding]) -> dg.AssetCheckResult:
    failed = [f for f in findings if not f.passed]
    return dg.AssetCheckResult(
        passed=not failed,
        metadata={
            "checks_evaluated": len(findings),
            "checks_failed": len(failed),
            "unexpected_rows": sum(f.unexpected_rows for f in failed),
            "rows_checked": max((f.total_rows for f in findings), default=0),
            "results": dg.MetadataValue.md(findings_markdown(findings)),
        },
    )


def _staged(warehouse: Warehouse, table: str, suite) -> dg.AssetCheckResult:
    columns, expectations = suite()
    with warehouse.connect() as con:
        findings = run_suite(con, table, columns, expectations)
        findings += [unique_key(con, table), no_bsn(con, table)]
    return _result(findings)


@dg.asset_check(asset="declaration_lines", blocking=True,
                description="GX suite (schema, not-null keys, iJw code lists, dates since 2015, amounts, pseudonym "
                "format) plus unique (provider, referentienummer) and no raw BSN, over every row.")
def declaration_lines_meet_contract(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _staged(warehouse, "staging.declaration_lines", declaration_lines_suite)


@dg.asset_check(asset="outcome_responses", blocking=True,
                description="GX suite (schema, keys, satisfaction 1-10, codes 01-04, JZ588, CBS, COD327, dates, "
                "pseudonym format) plus one response per trajectory and informant, and no raw BSN.")
def outcome_responses_meet_contract(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _staged(warehouse, "staging.outcome_responses", outcome_responses_suite)


@dg.asset_check(asset=reference_data, blocking=True,
                description="GX suites for every reference table (codes, ranges, NJi levels) plus unique keys.")
def reference_data_meets_contract(warehouse: Warehouse) -> dg.AssetCheckResult:
    findings: list[Finding] = []
    with warehouse.connect() as con:
        for table, (columns, expectations) in REFERENCE_SUITES.items():
            for f in [*run_suite(con, table, columns, expectations), unique_key(con, table)]:
                findings.append(Finding(f"{table}: {f.check}", f.column, f.unexpected_rows, f.total_rows,
                                        f.examples))
    return _result(findings)


contract_checks = [declaration_lines_meet_contract, outcome_responses_meet_contract, reference_data_meets_contract]
