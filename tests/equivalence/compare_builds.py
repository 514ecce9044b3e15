"""Prove that a change to the model layer leaves every published table the same, row for row.

`python -m tests.equivalence.compare_builds --base <commit>` generates the demo data once, runs
the full refresh of the commit `--base` (checked out in a git worktree) and of this checkout on
copies of it, at every k given (default 10 and 1), and compares the published files table by
table: column names and types, row count, and a digest of every row in stored order. It prints
one line per table and exits non-zero on any difference. Comments are left out on purpose: they
are labels, and a change may improve them; so are the columns whose YAML marks them a value of the
run (meta.run_time: when it ran, its run id), read from this checkout's dbt manifest, which differ
between any two runs of the same code.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from assets.transform import models_in, run_time_columns

REPO = Path(__file__).resolve().parents[2]
# when the run happened, not what it computed: differs between any two runs of the same code
RUN_TIME_COLUMNS = {(model, column) for model in models_in("marts") for column in run_time_columns(model)}


def table_digests(published: Path) -> dict[str, tuple[list[tuple[str, str]], int, str]]:
    """Per table of schema marts: its (column, type) list, row count and the SHA-256 of its rows in stored order."""
    out: dict[str, tuple[list[tuple[str, str]], int, str]] = {}
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
        for table in tables:
            columns = [(c, t) for c, t in con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? "
                "ORDER BY column_index", [table]).fetchall()]
            digest = hashlib.sha256()
            rows = 0
            kept = [f'"{c}"' for c, _ in columns if (table, c) not in RUN_TIME_COLUMNS]
            cur = con.execute(f"SELECT {', '.join(kept)} FROM marts.{table}")
            while batch := cur.fetchmany(10_000):
                for row in batch:
                    digest.update(repr(row).encode())
                    digest.update(b"\n")
                rows += len(batch)
            out[table] = (columns, rows, digest.hexdigest())
    return out


def refresh(tree: Path, data_dir: Path, k: int) -> Path:
    """Run the full refresh of the code in `tree` on `data_dir` with small-cell threshold k."""
    env = {**os.environ, "JEUGDZORG_DATA_DIR": str(data_dir), "JEUGDZORG_MIN_CELL_SIZE": str(k),
           "DAGSTER_HOME": str(data_dir / ".dagster_home"), "PYTHONPATH": str(tree)}
    (data_dir / ".dagster_home").mkdir(parents=True, exist_ok=True)
    instance = next(p for p in (tree / "dagster_instance.yaml", tree / "dagster.yaml") if p.exists())  # renamed
    shutil.copyfile(instance, data_dir / ".dagster_home" / "dagster.yaml")
    done = subprocess.run([sys.executable, "-m", "pipelines.refresh"], cwd=tree, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"refresh of {tree} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return data_dir / "warehouse" / "jeugdzorg.duckdb"


def compare(before: Path, after: Path) -> list[str]:
    """Differences between two published files, one line per table that differs."""
    a, b = table_digests(before), table_digests(after)
    problems = [f"{t}: only in the base build" for t in sorted(set(a) - set(b))]
    for table in sorted(set(a) & set(b)):
        (cols_a, n_a, d_a), (cols_b, n_b, d_b) = a[table], b[table]
        if cols_a != cols_b:
            problems.append(f"{table}: columns differ: {cols_a} != {cols_b}")
        elif (n_a, d_a) != (n_b, d_b):
            problems.append(f"{table}: rows differ ({n_a} rows before, {n_b} after)")
        else:
            print(f"  identical  marts.{table:<40} {n_a:>7} rows  {d_a[:16]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="commit to compare against (the build before the change)")
    parser.add_argument("--k", type=int, nargs="+", default=[10, 1])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="equivalence-"))).resolve()
    base_tree = work / "base"
    if not base_tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(base_tree), args.base], cwd=REPO, check=True)
    raw = work / "raw"
    if not raw.exists():
        subprocess.run([sys.executable, "-m", "demo_data", "--out", str(raw), "--scale", str(args.scale),
                        "--seed", str(args.seed)], cwd=REPO, check=True)
    problems: list[str] = []
    try:
        for k in args.k:
            published = {}
            for name, tree in (("base", base_tree), ("change", REPO)):
                data_dir = work / f"{name}-k{k}"
                if name == "base" and (data_dir / "warehouse" / "jeugdzorg.duckdb").exists():
                    published[name] = data_dir / "warehouse" / "jeugdzorg.duckdb"  # built by an earlier call
                    continue
                shutil.rmtree(data_dir, ignore_errors=True)
                shutil.copytree(raw, data_dir / "raw")
                published[name] = refresh(tree, data_dir, k)
            print(f"k = {k}: {args.base} against this checkout")
            problems += [f"k={k} {p}" for p in compare(published["base"], published["change"])]
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=REPO, check=False)
    for p in problems:
        print(f"  DIFFERENT  {p}")
    print("every published table is identical" if not problems else f"{len(problems)} tables differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
