"""Command line (`make run`): run the nightly_refresh job now and print what it did; `--full`
(`make run FULL=1`) runs full_rebuild instead, which rebuilds even when nothing is new.

The run is started as the UI would start it (pipelines/launch.py): it appears on the job's page
in the UI, and joins the run queue while `make ui` is up.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable
from itertools import zip_longest
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import DagsterRunStatus

from foundation.settings import SettingsError, load_settings

# the summary's queries, one per file: the SQL that reads a mart lives in .sql, not in Python (issue 38)
SUMMARY_SQL = Path(__file__).parent / "summary_sql"
WIDTH = 110  # the summary's prose wraps here; no line of `make demo` is wider than 200 characters


def _query(name: str) -> str:
    """One of the summary's queries (summary_sql/<name>.sql)."""
    return (SUMMARY_SQL / f"{name}.sql").read_text(encoding="utf-8")


def summary(published_db: str) -> str:
    """What the BI file now holds, read from the BI file itself: the working file may already be
    held by the next queued run."""
    lines = []
    with duckdb.connect(published_db, read_only=True) as con:
        files = con.execute(_query("files")).fetchall()
        lines.append("Files (all runs so far):")
        for kind, status, n, read, loaded, quarantined, dup in files:
            lines.append(f"  {kind:<13} {status:<15} {n:>6} files  rows read {read:>10,}  loaded {loaded:>10,}  "
                         f"quarantined {quarantined:>7,}  duplicate {dup:>7,}")
        k, primary, secondary, clients, euros = con.execute(_query("disclosure")).fetchone()
        lines += textwrap.wrap(
            f"Disclosure control (k = {k}): {primary or 0:,} rows suppressed as describing fewer than k "
            f"clients; {secondary or 0:,} more rows and values hidden so that none of them can be worked "
            f"back; those rows held {clients or 0:,} clients and EUR {euros or 0:,.0f}, summed over the "
            "tables, so a client hidden in two tables counts twice (the BI file's publication record; per table in "
            "the metadata of publication_candidate)", WIDTH, subsequent_indent="  ")
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
                             "ORDER BY table_name").fetchall()
        lines.append(f"Published tables in {published_db}:")
        cells = [f"marts.{name:<40} {con.execute(f'SELECT count(*) FROM marts.{name}').fetchone()[0]:>8,} rows"
                 for (name,) in tables]
        # two to a line, down the columns: the list stays one screen
        half = (len(cells) + 1) // 2
        lines += [f"  {left}    {right}".rstrip() for left, right in zip_longest(cells[:half], cells[half:],
                                                                                  fillvalue="")]
    lines.append("Open the Dagster UI with `make ui` (http://127.0.0.1:3000); point BI tools at the file above "
                 "(read-only).")
    return "\n".join(lines)


def check_evaluations(inst: dg.DagsterInstance, run_id: str) -> list[dg.AssetCheckEvaluation]:
    records = inst.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    return [r.event_log_entry.dagster_event.event_specific_data for r in records]


def checks_not_passed(evaluations: Iterable[dg.AssetCheckEvaluation]) -> str:
    """The checks that did not pass, blocking (ERROR) first: a WARN lets the run finish, so without
    this list the summary would look clean while the UI shows a warning."""
    failed = sorted((e.severity.value != "ERROR", e.asset_key.to_user_string(), e.check_name)
                    for e in evaluations if not e.passed)
    if not failed:
        return "All asset checks passed."
    lines = [f"Asset checks that did not pass ({len(failed)}; their metadata in the UI says why and what to do):"]
    lines += [f"  {'WARN ' if warn else 'ERROR'}  {asset} / {check}" for warn, asset, check in failed]
    return "\n".join(lines)


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # after the settings check: loading the code builds resources
    from assets.publish import materialized_in_run
    from assets.transform import MODELS
    from pipelines.launch import instance, launch

    warehouse = settings.warehouse_dir
    published_db = warehouse / "jeugdzorg.duckdb"
    job = "full_rebuild" if "--full" in sys.argv[1:] else "nightly_refresh"
    run = launch(job)
    with instance() as inst:
        checks = checks_not_passed(check_evaluations(inst, run.run_id))
        built = materialized_in_run(inst, run.run_id)
    published = dg.AssetKey("published_warehouse") in built
    rebuilt = {dg.AssetKey(m) for m in MODELS} & built
    if run.status != DagsterRunStatus.SUCCESS:
        print(f"\n{job} {run.status.value} (run {run.run_id}). See the run in the UI (`make ui`, Runs).",
              file=sys.stderr)
        print(checks, file=sys.stderr)
        print("The previously published BI file, if any, was left in place.", file=sys.stderr)
        print(f"dbt's own log of each step: {warehouse / 'dbt' / '<step>' / 'dbt.log'}", file=sys.stderr)
        return 1
    if not published and (rebuilt or not published_db.exists()):
        # the models were rebuilt (or there is no file at all), yet nothing was published: never "all is well"
        print(f"\n{job} finished without publishing (run {run.run_id}): "
              + (f"{len(rebuilt)} models were rebuilt, but the publish steps did not run. " if rebuilt else
                 f"there is no published file at {published_db}. ")
              + "See the run in the UI (`make ui`, Runs): a step it skipped says why.", file=sys.stderr)
        print(checks, file=sys.stderr)
        return 1
    print(f"\n{job} succeeded (run {run.run_id})")
    if not published:
        print("Nothing new since the last publish (the same files, reference data, settings and code): nothing was "
              "rebuilt or checked again, and the published file below stands. `make run FULL=1` rebuilds anyway.")
        print(summary(str(published_db)))
        return 0
    print(checks)
    print(summary(str(published_db)))
    print(f"dbt's own log of each step: {warehouse / 'dbt' / '<step>' / 'dbt.log'}")
    return council_reports(settings)


def council_reports(settings) -> int:
    """The council letters, rendered here with the asset's own function (assets/reports/render.py),
    so `make demo` and `make run` leave them beside the BI file; unchanged letters are skipped. With
    the Dagster daemon up, the sensor council_reports_after_publish records them as partitions."""
    from assets.reports.render import render_from_settings

    return render_from_settings(settings)


if __name__ == "__main__":
    sys.exit(main())
