"""What a published file was built from, so that a night with nothing new rebuilds nothing.

The marts are a function of the raw layer, the reference data, the settings and the code, and
of nothing else: the same four give the same file. Their fingerprint is recorded when a file is
published (registry.publications). A refresh that finds the same fingerprint, with that file
still in place, has nothing to rebuild: dbt_models yields no output, and Dagster skips every
step after it, the checks and the publish included (a dbt asset's output is optional). The file
the BI tools read stays the one these inputs produced.

Rows enter and leave the raw layer only with a file (ingestion adds one, a retraction marks it),
so the registry's rows and the raw tables' row counts stand for the raw rows without reading
them; the reference tables are small and are read whole. A full rebuild (job full_rebuild,
`make run FULL=1`) ignores the fingerprint.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from foundation.settings import REPO_ROOT as ROOT
from foundation.warehouse import Warehouse

CODE_DIRS = ("foundation", "assets", "checks", "pipelines")
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json", ".xsd"}
# the Warehouse settings that do not shape the published file or a check's verdict
# (how many earlier files are kept changes no figure of the new one, nor does whether the lake keeps it too)
NOT_AN_INPUT = {"pseudonym_key", "data_dir", "memory_limit", "threads", "lock_wait_seconds", "publications_kept",
                "lake_catalog", "lake_data_path"}
FULL_REBUILD_TAG = "jeugdzorg/full_rebuild"
ENGINES = ("jeugdzorg-monitor", "duckdb", "dbt-core", "dbt-duckdb", "great-expectations")


def code_version() -> str:
    """A hash of every model, macro, check and asset file and of the versions of the engines that
    run them: new code, or a new DuckDB or dbt, is a reason to rebuild."""
    digest = hashlib.sha256()
    for package in ENGINES:
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "target" not in path.relative_to(ROOT).parts and path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
        "ORDER BY table_name", [schema]).fetchall()]


def _rows_digest(con: duckdb.DuckDBPyConnection, schema: str, skip: tuple[str, ...] = ()) -> list[str]:
    """Each table of `schema` (but `skip`) row by row: its row count and the sum of its rows' hashes."""
    parts = []
    for table in _tables(con, schema):
        if table not in skip:
            count, total = con.execute(f"SELECT count(*), sum(hash(t)) FROM {schema}.{table} AS t").fetchone()
            parts.append(f"{schema}.{table}:{count}:{total}")
    return parts


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """The registry and reference tables row by row, and the raw tables' row counts."""
    parts = _rows_digest(con, "registry", skip=("publications",)) + _rows_digest(con, "ref")
    for table in _tables(con, "raw"):
        parts.append(f"raw.{table}:{con.execute(f'SELECT count(*) FROM raw.{table}').fetchone()[0]}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# the materialization tag that carries an asset's data version (Dagster's own name; its constant is not public)
DATA_VERSION_TAG = "dagster/data_version"


def reference_version(con: duckdb.DuckDBPyConnection) -> str:
    """The reference tables row by row: the data version of reference_data, so that reloading the same
    reference files leaves what is built on them up to date in Dagster's eyes."""
    return hashlib.sha256("\n".join(_rows_digest(con, "ref")).encode()).hexdigest()[:16]


def loaded_rows_version(con: duckdb.DuckDBPyConnection, kind: str) -> str:
    """The data version of one kind's ingestion asset: every file of that kind that loaded a row, with its
    content hash and how many of its rows were loaded and retracted. A delivery that loaded no row
    (exact duplicates, quarantined lines, a refused file) leaves it as it was, so Dagster does not mark
    the models built on the loaded rows as stale; a new row or a retraction changes it."""
    (digest,) = con.execute(
        "SELECT count(*) || ':' || coalesce(sum(hash(file_id, sha256, rows_loaded, rows_retracted)), 0) "
        "FROM registry.files WHERE kind = ? AND (rows_loaded > 0 OR rows_retracted > 0)", [kind]).fetchone()
    return hashlib.sha256(f"{kind}:{digest}".encode()).hexdigest()[:16]


def fingerprint(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> str:
    """The inputs, and this month: the check published_data_is_recent measures the data's age
    against today, so a month without deliveries must still rebuild and let it speak."""
    settings = {k: v for k, v in warehouse.model_dump().items() if k not in NOT_AN_INPUT}
    month = date.today().strftime("%Y-%m")
    return hashlib.sha256(f"{data_version(con)}|{code_version()}|{sorted(settings.items())}|{month}".encode()
                          ).hexdigest()


def next_publication_version(con: duckdb.DuckDBPyConnection) -> int:
    """The number the next publication gets: one more than the last one recorded (docs/publications.md)."""
    return con.execute("SELECT coalesce(max(version), 0) + 1 FROM registry.publications").fetchone()[0]


def record_publication(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, run_id: str, complete: bool,
                       version: int | None = None, published_at: datetime | None = None) -> None:
    """Called when a file has just been published from the current working file, with the version and
    time its `about` states (None: the next number, now). Only a run that
    rebuilt every model may vouch for the whole file: after a partial one (a sensor's run for one
    kind of file, a hand-picked selection in the UI) some marts may predate a change, so its row
    matches no fingerprint and the next night rebuilds everything."""
    print_ = fingerprint(con, warehouse) if complete else f"partial publication, run {run_id}"
    con.execute("""
        INSERT INTO registry.publications BY NAME
        SELECT coalesce(?::TIMESTAMP, current_timestamp::TIMESTAMP) AS published_at, ? AS run_id, ? AS fingerprint,
               ? AS code_version, max(file_id) AS files_through,
               count(*) FILTER (WHERE status = 'retracted') AS files_retracted, ? AS version
        FROM registry.files""", [published_at, run_id, print_, code_version(),
                                 version or next_publication_version(con)])


def unchanged_since_publication(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> tuple[str, str] | None:
    """(published_at, run_id) of the published file when it was built from exactly the inputs there
    are now; None when anything changed, or the file is gone."""
    if not warehouse.published_db.exists():
        return None
    last = con.execute("SELECT strftime(published_at, '%Y-%m-%d %H:%M:%S'), run_id, fingerprint "
                       "FROM registry.publications ORDER BY published_at DESC LIMIT 1").fetchone()
    if last is None or last[2] != fingerprint(con, warehouse):
        return None
    return last[0], last[1]


# What is new since the last complete publish. A row that met the contract when the last complete
# publish judged it meets it still: rows enter and leave the raw layer only with a file, a loaded
# row is never edited, and the suite is code. So a night judges in full only the rows of the files
# registered since that publish (checks/scope.py), and rebuilds only the months those files touch
# (staging.municipality_month_spend). Everything counts as new when that reasoning does not hold:
# a full rebuild, no complete publish yet, new code or engines (the suite, a code list or a model
# may have changed), or a retraction since (it lets in rows that were held back as duplicates of
# the retracted file's rows, and takes away rows whose months nobody would otherwise know).


@dataclass(frozen=True)
class Scope:
    """What is new since the last complete publish, and why."""

    files_after: int | None  # the files with a higher file_id are new; None: everything counts as new
    reason: str

    @property
    def everything(self) -> bool:
        return self.files_after is None


def new_since_publication(con: duckdb.DuckDBPyConnection, full_rebuild: bool) -> Scope:
    if full_rebuild:
        return Scope(None, "everything, as this is a full rebuild")
    last = con.execute("""
        SELECT strftime(published_at, '%Y-%m-%d %H:%M:%S'), code_version, files_through, files_retracted
        FROM registry.publications
        WHERE NOT starts_with(fingerprint, 'partial publication')
        ORDER BY published_at DESC LIMIT 1""").fetchone()
    if last is None or last[2] is None:
        return Scope(None, "everything, as no complete publish has recorded what it was built from yet")
    published_at, code, through, retracted = last
    if code != code_version():
        return Scope(None, f"everything, as the code or an engine changed since the publish of {published_at}")
    (now_retracted,) = con.execute("SELECT count(*) FROM registry.files WHERE status = 'retracted'").fetchone()
    if now_retracted != retracted:
        return Scope(None, f"everything, as a file was retracted since the publish of {published_at}, which may have "
                           "let in rows that were held back as its duplicates")
    return Scope(through, f"the files registered since the publish of {published_at} (file_id > {through})")


class _SkippedStepsHaveNoChecks(logging.Filter):
    """Dagster warns, on the terminal only, for every blocking check of a step that yielded nothing,
    although the steps it would gate are skipped too. Every step of this project that runs yields
    all its checks, so the warning only ever describes a night with nothing new: noise, dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "emitted no result in step" not in record.getMessage()


logging.getLogger("dagster._core.execution.plan.active").addFilter(_SkippedStepsHaveNoChecks())
