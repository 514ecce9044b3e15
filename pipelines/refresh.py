"""Command line: run the nightly_refresh job now and print what it did.

The run is recorded in the project's Dagster instance (DAGSTER_HOME, set by the Makefile), so it
appears in the UI's run history next to the runs started there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.core.settings import REPO_ROOT, SettingsError, load_settings


def summary(working_db: str, published_db: str) -> str:
    lines = []
    with duckdb.connect(working_db, read_only=True) as con:
        files = con.execute(
            "SELECT kind, status, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
            "sum(rows_duplicate) FROM registry.files GROUP BY ALL ORDER BY ALL").fetchall()
    lines.append("Files (all runs so far):")
    for kind, status, n, read, loaded, quarantined, dup in files:
        lines.append(f"  {kind:<13} {status:<15} {n:>6} files  rows read {read:>10,}  loaded {loaded:>10,}  "
                     f"quarantined {quarantined:>7,}  duplicate {dup:>7,}")
    with duckdb.connect(published_db, read_only=True) as con:
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
                             "ORDER BY table_name").fetchall()
        lines.append(f"Published tables in {published_db}:")
        for (name,) in tables:
            n = con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
            lines.append(f"  marts.{name:<40} {n:>8,} rows")
    lines.append("Open the Dagster UI with `make ui` (http://127.0.0.1:3000); point BI tools at the file above "
                 "(read-only).")
    return "\n".join(lines)


def checks_not_passed(result: dg.ExecuteInProcessResult) -> str:
    """The checks that did not pass, blocking (ERROR) first: a WARN lets the run finish, so without
    this list the summary would look clean while the UI shows a warning."""
    failed = sorted((e.severity != dg.AssetCheckSeverity.ERROR, e.asset_key.to_user_string(), e.check_name)
                    for e in result.get_asset_check_evaluations() if not e.passed)
    if not failed:
        return "All asset checks passed."
    lines = [f"Asset checks that did not pass ({len(failed)}; their metadata in the UI says why):"]
    lines += [f"  {'WARN ' if warn else 'ERROR'}  {asset} / {check}" for warn, asset, check in failed]
    return "\n".join(lines)


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    from pipelines.definitions import defs  # after the settings check: importing builds the resources

    warehouse = settings.warehouse_dir
    # dagster-dbt echoes every dbt log line to stdout; each step's dbt.log keeps them, so the
    # terminal shows Dagster's progress lines and the summary instead
    with dg.DagsterInstance.get() as instance, open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        result = defs.resolve_job_def("nightly_refresh").execute_in_process(instance=instance, raise_on_error=False)
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        print(f"nightly_refresh FAILED (run {result.run_id}); failed steps: {', '.join(failed) or 'see the UI'}",
              file=sys.stderr)
        print(checks_not_passed(result), file=sys.stderr)
        print("The previously published BI file, if any, was left in place.", file=sys.stderr)
        print(f"dbt's own log of each step: {warehouse / 'dbt' / '<step>' / 'dbt.log'}", file=sys.stderr)
        return 1
    print(f"\nnightly_refresh succeeded (run {result.run_id})")
    print(checks_not_passed(result))
    print(summary(str(warehouse / "pipeline.duckdb"), str(warehouse / "jeugdzorg.duckdb")))
    print(f"dbt's own log of each step: {warehouse / 'dbt' / '<step>' / 'dbt.log'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
