"""`make bench`: ingest N generated declaration lines as CSV and as XML; print lines/s and peak memory.

Each measurement runs in a fresh Python process so its peak memory is its own. DuckDB's bare
`read_csv` of the same CSV files (all columns materialised) is measured in the same run as the
yardstick for the CSV path, which also applies rules D01-D09, pseudonymises and builds staging.
The last phase runs the whole nightly refresh (Dagster job: ingest, the two dbt steps, every
check, publish) on the CSV files, against a bare read in the same run. A shared machine's speed
drifts by 20 % within minutes, so the bare read and the CSV ingest
take turns, three times each by default, and the table shows each one's fastest run (as
`timeit` does) next to the range of all runs. The XML path, at minutes a run, runs once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.make_inputs import history, next_month, write_csv_files, write_message_files, write_xml_files

KEY = "benchmark-key"


def _peak_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its largest finished child (the XML workers), in MB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def phase_bare(work: Path) -> dict:
    import duckdb

    db = work / "bare.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    started = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{work}/csv/raw/declarations/*.csv', all_varchar=true)")
    seconds = time.perf_counter() - started
    lines = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    db.unlink()
    return {"lines": lines, "seconds": seconds}


def phase_ingest(work: Path, fmt: str) -> dict:
    from assets.ingest.declarations import ingest_declarations
    from assets.ingest.reference import load_reference
    from assets.transform import run_dbt
    from checks.accounting import declaration_rows_add_up
    from checks.contract_checks import judge_staged
    from checks.gx_suites import declaration_lines_suite
    from foundation.warehouse import Warehouse

    data_dir = work / fmt
    shutil.rmtree(data_dir / "warehouse", ignore_errors=True)
    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=KEY)
    started = time.perf_counter()
    with wh.connect() as con:
        load_reference(con, wh.raw_dir)
        summary = ingest_declarations(con, wh.raw_dir, wh.max_file_bytes, wh.pseudonymiser())
    ingested = time.perf_counter()
    run_dbt(wh, "run", "--select", "declaration_lines")
    with wh.connect() as con:
        staged = con.execute("SELECT count(*) FROM staging.declaration_lines").fetchone()[0]
    done = time.perf_counter()
    # the blocking checks on these two assets, over every row: identity and the staged-lines contract
    declaration_rows_add_up(warehouse=wh)
    judge_staged(wh, "staging.declaration_lines", declaration_lines_suite, full_rebuild=True)
    checked = time.perf_counter()
    return {"lines": summary.rows_read, "loaded": summary.rows_loaded, "staged": staged,
            "seconds": done - started, "ingest_seconds": ingested - started, "staging_seconds": done - ingested,
            "checks_seconds": checked - done}


def phase_messages(work: Path) -> dict:
    """JW301 allocations and JW307 stops: parse with XSD validation on both cores, rules, pseudonyms."""
    from assets.ingest.messages import ALLOCATIONS, CARE_STOPS, ingest_messages
    from assets.ingest.reference import load_reference
    from foundation.warehouse import Warehouse

    data_dir = work / "messages"
    shutil.rmtree(data_dir / "warehouse", ignore_errors=True)
    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=KEY)
    result = {}
    with wh.connect() as con:
        load_reference(con, wh.raw_dir)
        for kind in (ALLOCATIONS, CARE_STOPS):
            started = time.perf_counter()
            summary = ingest_messages(con, kind, wh.raw_dir, wh.max_file_bytes, wh.pseudonymiser())
            result[kind.spec.message] = {"lines": summary.rows_read, "loaded": summary.rows_loaded,
                                         "files": summary.files_loaded, "seconds": time.perf_counter() - started}
    return result


ASSET_STEPS = ("reference_data", "raw_declarations", "raw_surveys", "dbt_models", "publication_candidate",
               "published_warehouse")


def _slowest(seconds: dict[str, float], top: int = 6) -> list[tuple[str, float]]:
    return sorted(seconds.items(), key=lambda kv: -kv[1])[:top]


def _dbt_seconds(results: list[dict]) -> dict[str, float]:
    """Seconds per model of one dbt step, with all its tests as one entry, "tests": one test takes
    milliseconds, but there are 175 of them."""
    seconds = {n["unique_id"].split(".")[-1]: n["execution_time"]
               for n in results if n["unique_id"].startswith("model.")}
    return seconds | {"tests": sum(n["execution_time"] for n in results if n["unique_id"].startswith("test."))}


def phase_refresh(work: Path, fresh: bool = True) -> dict:
    """The whole nightly refresh on the CSV files, as `make run` runs it: ingest, both dbt steps with
    their tests, every Python check, publish. Step times come from Dagster's own events. `fresh`
    starts from an empty warehouse; otherwise the refresh follows the previous phase's, as the next
    night's run follows the last."""
    data_dir = work / "csv"
    if fresh:
        shutil.rmtree(data_dir / "warehouse", ignore_errors=True)
    # the job's warehouse resource is bound when the definitions load, from the settings: a
    # resource passed to execute_in_process would not replace it
    os.environ.update(JEUGDZORG_DATA_DIR=str(data_dir), JEUGDZORG_PSEUDONYM_KEY=KEY)
    import duckdb

    from assets.disclosure import cells
    from assets.transform import artifacts_dir
    from foundation.warehouse import Warehouse
    from pipelines.definitions import defs

    wh = Warehouse(data_dir=str(data_dir), pseudonym_key=KEY)
    started = time.perf_counter()
    job = defs.resolve_job_def("nightly_refresh")
    result = job.execute_in_process(raise_on_error=False)
    seconds = time.perf_counter() - started
    if not result.success:
        raise SystemExit("the refresh failed")
    steps = {e.step_key: e.event_specific_data.duration_ms / 1000 for e in result.all_events
             if e.event_type_value == "STEP_SUCCESS"}
    steps |= {k: 0.0 for k in ASSET_STEPS if k not in steps}  # a step with nothing to do is skipped
    with wh.connect() as con:
        lines = con.execute("SELECT count(*) FROM raw.declaration_rows").fetchone()[0]
    with duckdb.connect() as con:
        # what disclosure control works on: the published rows and their cells (every figure the attacker
        # models, cells.load), and what it hid
        con.execute(f"ATTACH '{wh.published_db}' AS target (READ_ONLY)")
        published_rows = con.execute("SELECT sum(estimated_size)::BIGINT FROM duckdb_tables() "
                                     "WHERE database_name = 'target' AND schema_name = 'marts'").fetchone()[0]
        primary, secondary = con.execute("SELECT rows_suppressed_small_cells, cells_suppressed_secondary "
                                         "FROM target.marts.about").fetchone()
        cells.load(con, "target")
        published_cells = con.execute("SELECT count(*) FROM keys").fetchone()[0]
    disclosure = {"published_rows": published_rows, "published_cells": published_cells, "primary_rows": primary,
                  "more_hidden": secondary,
                  "seconds": {k: steps.get(k, 0.0) for k in (
                      "publication_candidate", "publication_candidate_no_suppressed_cell_can_be_recovered",
                      "published_warehouse")}}
    # what dbt itself spent running models and tests; the rest of its step is starting and parsing
    results = {step: json.loads((artifacts_dir(wh, step) / "run_results.json").read_text())
               for step in ("dbt_models",)}
    in_dbt = {step: r["elapsed_time"] for step, r in results.items()}
    checks = {k: v for k, v in steps.items() if k not in ASSET_STEPS}
    # the profile: the slowest dbt nodes of each step and the slowest check steps
    slowest = {step: _slowest(_dbt_seconds(r["results"])) for step, r in results.items()} | {"checks": _slowest(checks)}
    return {"lines": lines, "seconds": seconds, "steps": {k: steps[k] for k in ASSET_STEPS}, "in_dbt": in_dbt,
            "slowest": slowest, "checks_seconds": sum(checks.values()), "disclosure": disclosure}


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants together (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # the process ended meanwhile
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        with contextlib.suppress(OSError, StopIteration):  # ended meanwhile; a kernel thread has no VmRSS
            total += next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("VmRSS:"))
    return total / 1024


def run_phase(work: Path, phase: str) -> dict:
    """One phase in a fresh process. Besides each process's own peak (getrusage), the memory of the
    phase's processes together is sampled every 0.2 s: during a dbt step the refresh process and
    dbt's hold memory at the same time, and the machine must hold both."""
    with open(work / f"{phase}.out", "w+") as out, open(work / f"{phase}.err", "w+") as err:
        child = subprocess.Popen([sys.executable, "-m", "tests.bench.run_bench", "--phase", phase, "--work", str(work)],
                                 stdout=out, stderr=err)
        together = 0.0
        while child.poll() is None:
            together = max(together, _tree_rss_mb(child.pid))
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read()[-4000:])
            raise SystemExit(f"benchmark phase {phase} failed")
        result = json.loads(out.read().strip().splitlines()[-1])
    # a peak between two samples is missed; one process's own peak (getrusage) is a floor for them all
    return result | {"together_mb": max(together, result["peak_mb"], result["workers_peak_mb"])}


def _memory(result: dict) -> str:
    return (f"peak memory {result['together_mb']:,.0f} MB, all its processes together (target: under 3,000 MB; "
            f"largest single process {max(result['peak_mb'], result['workers_peak_mb']):,.0f} MB)")


def _profile(result: dict) -> str:
    """Where the time went: the slowest models (and all dbt tests together) of each dbt step, and
    the slowest check steps."""
    return "\n".join(f"    slowest in {part}: " + ", ".join(f"{name} {sec:.1f}s" for name, sec in top)
                     for part, top in result["slowest"].items())


def _disclosure(result: dict) -> str:
    """Disclosure control's share of a refresh: secondary suppression (publication_candidate), its
    blocking check and the publish step, against the size of what it protects."""
    d = result["disclosure"]
    candidate, check, publish = d["seconds"].values()
    return (f"  disclosure control: {candidate + check + publish:.1f}s (publication_candidate {candidate:.1f}s, "
            f"its check no_suppressed_cell_can_be_recovered {check:.1f}s, published_warehouse {publish:.1f}s) "
            f"(target: under 60s at 10 M lines) on {d['published_rows']:,} published rows holding "
            f"{d['published_cells']:,} cells; {d['primary_rows']:,} rows suppressed as small cells, "
            f"{d['more_hidden']:,} more cells hidden")


def refresh_figures(work: Path, lines: int, per_file: int, years: int) -> None:
    """The nightly refresh three ways, each against a bare read_csv of the same files in the same run:
    from an empty warehouse, again with nothing new, and with one new month of continuing care."""
    bare = run_phase(work, "bare")
    refresh = run_phase(work, "refresh")
    steps = refresh["steps"]
    dbt = steps["dbt_models"]
    print(f"\nfull refresh (nightly_refresh job on the CSV files): {refresh['seconds']:.1f}s against a bare "
          f"read_csv of {bare['seconds']:.1f}s in the same run: {refresh['seconds'] / bare['seconds']:.1f}x "
          f"(target: within 3x); {_memory(refresh)}")
    print("  steps: " + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items())
          + f"; all checks {refresh['checks_seconds']:.1f}s")
    print(_profile(refresh))
    print(_disclosure(refresh))
    running = sum(refresh["in_dbt"].values())
    print(f"  dbt (its one step): {dbt:.1f}s, {100 * dbt / refresh['seconds']:.0f}% of the refresh: "
          f"{running:.1f}s running models and dbt tests, {dbt - running:.1f}s starting dbt, parsing the project "
          "and reading the results")
    noop = run_phase(work, "next")
    print(f"no-op refresh (nothing new): {noop['seconds']:.1f}s (target: at most 5s); "
          + ", ".join(f"{k} {v:.1f}s" for k, v in noop["steps"].items()))
    month = lines // (12 * years)
    # written aside and renamed: its file numbers continue the history's and could share the last one's name
    for path in write_csv_files(work / "next_month", lines + month, per_file, start=lines,
                                dates=next_month(lines, per_file, years), history_lines=lines):
        path.rename(work / "csv/raw/declarations" / f"next_month_{path.name}")
    share = bare["seconds"] * month / lines
    new = run_phase(work, "next")
    print(f"new month ({new['lines'] - refresh['lines']:,} lines of January {2025}): {new['seconds']:.1f}s "
          f"(target: at most 10s + its share of the bare read, {share:.1f}s); "
          f"{_memory(new)}; "
          + ", ".join(f"{k} {v:.1f}s" for k, v in new["steps"].items())
          + f"; all checks {new['checks_seconds']:.1f}s")
    print(_profile(new))


def national(work: Path, lines: int = 50_000_000, per_file: int = 2_500_000, years: int = 5) -> None:
    """Five national years: 50 million lines in 20 files of 2.5 million, about 4 million clients."""
    print(f"generating {lines:,} lines of {years} years as CSV (files of {per_file:,}) in {work}")
    started = time.perf_counter()
    write_csv_files(work / "csv/raw/declarations", lines, per_file, dates=history(years, per_file))
    print(f"  generated in {time.perf_counter() - started:.0f}s", flush=True)
    refresh_figures(work, lines, per_file, years)


XML_LABEL = "ingest XML (XSD, rules, pseudonyms, staging)"
XML_PER_FILE = 5_000  # JW323 lines a message


def xml_only(work: Path, lines: int, repeat: int) -> None:
    """The XML line of the table alone, `repeat` runs, each in a fresh process: the fastest (as
    for the CSV path) and the range, since the machine's speed drifts."""
    print(f"generating {lines:,} lines as JW323 XML (files of {XML_PER_FILE:,}) in {work}")
    write_xml_files(work / "xml/raw/declarations", lines, XML_PER_FILE)
    runs = []
    for turn in range(repeat):
        runs.append(run_phase(work, "xml"))
        print(f"  turn {turn + 1}: xml {runs[-1]['seconds']:.1f}s", flush=True)
    r = min(runs, key=lambda x: x["seconds"])
    print(f"\n{XML_LABEL}: {r['lines']:,} lines in {r['seconds']:.1f}s = {r['lines'] / r['seconds']:,.0f} lines/s "
          f"end to end, fastest of {len(runs)} (runs {min(x['seconds'] for x in runs):.1f}s to "
          f"{max(x['seconds'] for x in runs):.1f}s); ingest {r['ingest_seconds']:.1f}s "
          f"({r['lines'] / r['ingest_seconds']:,.0f} lines/s) + staging (dbt) {r['staging_seconds']:.1f}s; "
          f"{r['loaded']:,} loaded, {r['staged']:,} staged; peak {max(x['together_mb'] for x in runs):,.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000_000, help="declaration lines per format")
    parser.add_argument("--work", type=Path, default=Path("bench_data"), help="scratch folder (git-ignored)")
    parser.add_argument("--skip-xml", action="store_true", help="CSV and the bare read only (quicker)")
    parser.add_argument("--only-xml", action="store_true",
                        help="the XML line alone: --lines JW323 lines, ingested --repeat times (issue 39's figure: "
                        "--only-xml --lines 1000000)")
    parser.add_argument("--repeat", type=int, default=3, help="turns each for the bare read and the CSV ingest")
    parser.add_argument("--skip-refresh", action="store_true", help="leave out the full Dagster refresh")
    parser.add_argument("--message-lines", type=int, default=1_000_000,
                        help="JW301 and JW307 records each for the message line (0 leaves it out)")
    parser.add_argument("--national", action="store_true",
                        help="five national years instead: 50 million lines in 20 CSV files (about 15 GB of disk); "
                        "the refresh figures only")
    parser.add_argument("--phase", choices=["bare", "csv", "xml", "refresh", "next", "messages"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase = {"bare": phase_bare, "refresh": phase_refresh, "messages": phase_messages,
                 "next": lambda work: phase_refresh(work, fresh=False)}.get(args.phase)
        result = phase(args.work) if phase else phase_ingest(args.work, args.phase)
        result["peak_mb"], result["workers_peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    if args.national:
        national(work)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.only_xml:
        xml_only(work, args.lines, args.repeat)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    lines, per_file, years = args.lines, 500_000, 5
    print(f"generating {args.lines:,} lines as CSV (files of 500,000) and as JW323 XML (files of 5,000) in {work}")
    started = time.perf_counter()
    write_csv_files(work / "csv/raw/declarations", lines, per_file, dates=history(years, per_file))
    if not args.skip_xml:
        write_xml_files(work / "xml/raw/declarations", args.lines, XML_PER_FILE)
    print(f"  generated in {time.perf_counter() - started:.0f}s")

    phases = ("bare", "csv") if args.skip_xml else ("bare", "csv", "xml")
    runs: dict[str, list[dict]] = {name: [] for name in phases}
    for turn in range(args.repeat):
        for name in ("bare", "csv"):
            runs[name].append(run_phase(work, name))
            print(f"  turn {turn + 1}: {name} {runs[name][-1]['seconds']:.1f}s", flush=True)
    if not args.skip_xml:
        runs["xml"].append(run_phase(work, "xml"))
    results = {name: min(r, key=lambda x: x["seconds"]) for name, r in runs.items()}
    print(f"\n{'path':<44}{'lines':>12}{'seconds':>10}{'lines/s':>12}{'peak MB':>10}")
    labels = {"bare": "DuckDB bare read_csv (CSV, all columns)", "csv": "ingest CSV (rules, pseudonyms, staging)",
              "xml": XML_LABEL}
    peaks = {name: max(r["together_mb"] for r in rs) for name, rs in runs.items()}  # its processes together
    for name, r in results.items():
        peak = peaks[name]
        print(f"{labels[name]:<44}{r['lines']:>12,}{r['seconds']:>10.1f}{r['lines'] / r['seconds']:>12,.0f}"
              f"{peak:>10,.0f}")
    ratio = results["csv"]["seconds"] / results["bare"]["seconds"]
    turns = [c["seconds"] / b["seconds"] for b, c in zip(runs["bare"], runs["csv"], strict=True)]
    for name in ("bare", "csv"):
        print(f"  {name}: {len(runs[name])} runs, {min(r['seconds'] for r in runs[name]):.1f}s to "
              f"{max(r['seconds'] for r in runs[name]):.1f}s")
    print(f"\nCSV ingest / bare read: {ratio:.2f}x fastest against fastest, {min(turns):.2f}x to {max(turns):.2f}x "
          f"turn by turn (target: within 2x); "
          f"peak memory: {max(peaks.values()):,.0f} MB over all runs "
          "(target: under 3,000 MB)")
    ingest_only = results["csv"]["ingest_seconds"] / results["bare"]["seconds"]
    print(f"  without the staging view (one dbt call, a fixed cost of starting dbt whatever the volume): "
          f"{ingest_only:.2f}x")
    for name in phases[1:]:
        r = results[name]
        print(f"  {name}: ingest {r['ingest_seconds']:.1f}s + staging (dbt) {r['staging_seconds']:.1f}s; "
              f"{r['loaded']:,} loaded, {r['staged']:,} staged; blocking checks (GX suite + SQL rules + "
              f"identity) {r['checks_seconds']:.1f}s = {100 * r['checks_seconds'] / r['seconds']:.0f}% on top "
              "(target: at most 25%)")
    if args.message_lines:
        print(f"\ngenerating {args.message_lines:,} JW301 and {args.message_lines:,} JW307 records (messages of 100)")
        for kind in ("allocations", "care_stops"):
            write_message_files(work / "messages/raw" / kind, kind, args.message_lines, 100)
        messages = run_phase(work, "messages")
        for code in ("JW301", "JW307"):
            r = messages[code]
            print(f"ingest {code} (XSD, rules, pseudonyms): {r['lines']:,} records in {r['files']:,} files, "
                  f"{r['seconds']:.1f}s = {r['lines'] / r['seconds']:,.0f} lines/s "
                  f"(peak {messages['together_mb']:,.0f} MB)")
    if not args.skip_refresh:
        refresh_figures(work, lines, per_file, years)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
