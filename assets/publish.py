"""Publish the marts as the BI file: built beside the target as a candidate, protected, checked,
then renamed over the target atomically.

BI tools hold the published file open read-only; DuckDB allows one writer or many readers, so
the pipeline never writes to it in place. `publication_candidate` writes a new file next to it
(same filesystem) and applies disclosure control to it (assets/disclosure/: secondary
suppression until no suppressed cell can be worked back); the blocking check
`no_suppressed_cell_can_be_recovered` attacks it; only then does `published_warehouse` move it
over the old one with os.replace: a reader sees the old file or the new one, never half of
either, and never a file the attacker could break. The storage version keeps it readable for
DuckDB 1.4 clients. Every model in the dbt project's marts folder is published (unless its YAML
says meta.publish: false, as the per-file data-quality tables do), with the labels dbt wrote as
comments, its grain as PRIMARY KEY, a FOREIGN KEY for every column that names a dimension's key,
and a CHECK constraint for every identity its YAML declares (meta.checks).

After disclosure control, what is made from published cells only is filled in, each by what the
marts' YAML declares, so this module names no mart: the remainder tables (meta.remainder) from the
breakdowns whose meta.rolls_up names them as not_shown; the queries a mart lists under
meta.after_disclosure_control (assets/publish_sql/, one per file: ranks among the rows still shown);
the wide tables (meta.wide_of); the publication's record (meta.publication_record) and the
table of how the headline figures moved (meta.figures).

Renamed columns (one vocabulary, issue 42): a mart whose YAML declares meta.deprecated_names {old: new}
gets, for one release, a view deprecated.<table> in the published file that shows the table under the old
names, commented as deprecated (`create_deprecation_views`).

Fail closed: a mart with a column its YAML does not declare for disclosure control (public, with
the reason, or the protected quantity it publishes: assets/disclosure/cells.py) is not published,
and nothing is: the run stops naming every such table and column, and the BI file stays as it was.
"""


import hashlib
import os
import re
import shutil
from pathlib import Path

import dagster as dg
import dagster_shared.check as dg_check
import duckdb
import pandas as pd

from assets.disclosure import cells
from assets.disclosure.attack import find_leaks
from assets.disclosure.intervals import COLUMNS, Targets
from assets.disclosure.suppress import Baseline, baseline, protect
from assets.transform import KEY_COLUMNS, MART_KEYS, MODELS, model_declaring, model_meta, rollups
from foundation.asset_groups import PUBLISH
from foundation.fingerprint import next_publication_version, record_publication
from foundation.lake_publish import keep_in_lake
from foundation.sql import copy_comments, data_through, sql_literal
from foundation.warehouse import Warehouse
from foundation.warn_checks import record_verdicts

STORAGE_VERSION = "v1.0.0"


def _meta(table: str, key: str) -> list[str]:
    return list(model_meta(table).get(key) or [])


def grain(table: str) -> list[str]:
    """The mart's grain as its YAML declares it (meta.grain): its primary key."""
    return _meta(table, "grain")


def row_checks(table: str) -> list[str]:
    """What must hold on every row (meta.checks), published as CHECK constraints: a row that breaks
    one fails the publish, so the BI file never holds it."""
    return _meta(table, "checks")


def foreign_keys(table: str) -> dict[str, str]:
    """The columns of `table` that name a dimension's key, with that dimension."""
    columns = MODELS[table]["columns"]
    return {c: dim for c, dim in cells.dimensions().items() if c in columns and dim != table}


def publish_order() -> list[str]:
    """Every mart after the dimensions its foreign keys point at."""
    done: list[str] = []
    pending = cells.published_marts()
    while pending:
        ready = [t for t in pending if set(foreign_keys(t).values()) <= set(done)]
        done += ready
        pending = [t for t in pending if t not in ready]
    return done


def create_table_sql(con: duckdb.DuckDBPyConnection, table: str, working: str, catalog: str) -> str:
    """The published table with the working table's columns, its grain as PRIMARY KEY and a
    FOREIGN KEY to each dimension it names, so a BI tool sees the model's joins. DuckDB finds a
    referenced table in the schema in use: the caller has switched to `catalog`.marts."""
    columns = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
                          "AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                          [working, table]).fetchall()
    parts = [f'"{c}" {t}' for c, t in columns]
    if grain(table):
        parts.append(f"PRIMARY KEY ({', '.join(grain(table))})")
    parts += [f'FOREIGN KEY ("{c}") REFERENCES {dim} ("{c}")' for c, dim in foreign_keys(table).items()]
    parts += [f"CHECK ({rule})" for rule in row_checks(table)]
    return f"CREATE TABLE {catalog}.marts.{table} ({', '.join(parts)})"


# A cell that starts like a formula is run by Excel (and by a CSV export opened in it): OWASP's list
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(con: duckdb.DuckDBPyConnection, working: str, table: str) -> str:
    """The select list that copies a mart with every text value that starts like a formula prefixed
    by an apostrophe, as OWASP advises: names come from reference uploads and providers' files, and
    the BI file reaches Excel users. Keys (the grain, foreign keys) are copied as they are: they
    join tables and name disclosure cells, and a changed key would no longer match either. No
    published text starts so on the demo, so nothing else moves."""
    keys = set(grain(table)) | set(foreign_keys(table))
    starts = ", ".join("chr(" + str(ord(c)) + ")" for c in FORMULA_STARTS)
    return ", ".join(
        f'CASE WHEN left("{c}", 1) IN ({starts}) THEN chr(39) || "{c}" ELSE "{c}" END AS "{c}"'
        if kind == "VARCHAR" and c not in keys else f'"{c}"'
        for c, kind in con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'marts' "
            "AND table_name = ? ORDER BY column_index", [working, table]).fetchall())


# One vocabulary (issue 42): a column renamed in a release keeps answering under its old name for one
# release, through a view in this schema of the published file with the same name as its table
DEPRECATED_SCHEMA = "deprecated"


def deprecated_names(table: str) -> dict[str, str]:
    """The mart's columns renamed in this release, old name: new name (its YAML's meta.deprecated_names)."""
    return dict(model_meta(table).get("deprecated_names") or {})


def create_deprecation_views(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """For every mart that declares renamed columns, the view deprecated.<table>: the table as published
    (after disclosure control, so it shows exactly what the table shows), every column under its name of
    the previous release, each commented as deprecated with what replaces it and when it goes. Returns
    the views made. Run with `catalog`'s marts schema in use, so the views name marts.<table> without a
    catalog and still read their own file when it is opened under another name."""
    renamed = {t: names for t in publish_order() if (names := deprecated_names(t))}
    if not renamed:
        return []
    con.execute(f"CREATE SCHEMA {catalog}.{DEPRECATED_SCHEMA}")
    for table, names in renamed.items():
        columns = dict(con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'marts' "
            "AND table_name = ? ORDER BY column_index", [catalog, table]).fetchall())
        old_of = {new: old for old, new in names.items()}
        if unknown := sorted(set(old_of) - set(columns)):
            raise ValueError(f"{table}: meta.deprecated_names renames to columns it does not have: {unknown}")
        select = ", ".join(f'"{c}" AS "{old_of[c]}"' if c in old_of else f'"{c}"' for c in columns)
        view = f"{catalog}.{DEPRECATED_SCHEMA}.{table}"
        con.execute(f"CREATE VIEW {view} AS SELECT {select} FROM marts.{table}")
        renames = ", ".join(f"{old} heet nu {new}" for old, new in names.items())
        con.execute(f"COMMENT ON VIEW {view} IS " + sql_literal(
            f"VEROUDERD (deprecated): marts.{table} met de kolomnamen van de vorige release ({renames}). "
            f"Gebruik marts.{table}; deze view verdwijnt in de volgende release."))
        for column, comment in columns.items():
            text = comment or ""
            if column in old_of:
                text = f"VEROUDERD: oude naam van marts.{table}.{column}, verdwijnt in de volgende release. {text}"
            if text:
                con.execute(f'COMMENT ON COLUMN {view}."{old_of.get(column, column)}" IS {sql_literal(text.strip())}')
    return [f"{DEPRECATED_SCHEMA}.{t}" for t in renamed]


# the queries the publish runs after disclosure control, one per file: the remainders of the
# breakdowns (not_shown.sql) and those a mart's YAML lists under meta.after_disclosure_control
PUBLISH_SQL = Path(__file__).parent / "publish_sql"


def publish_query(name: str, **tables: str) -> str:
    """The query assets/publish_sql/<name>.sql with its tables (and catalog) filled in."""
    return (PUBLISH_SQL / f"{name}.sql").read_text().format(**tables)


def run_after_disclosure_control(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Per mart, in publish order, the queries its YAML lists under meta.after_disclosure_control (ranks
    among the rows still shown: a rank that skipped a hidden row would place it between its
    neighbours, and so bound its value)."""
    for table in publish_order():
        for name in _meta(table, "after_disclosure_control"):
            con.execute(publish_query(name, catalog=catalog, table=table))


def fill_not_shown(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """The labelled remainder per breakdown (a mart whose YAML's meta.rolls_up names a remainder table,
    meta.remainder, as not_shown) and key of the parent it rolls up to (by), once the last cell is
    hidden. A remainder table that no published breakdown names would stay empty: it stops the publish."""
    remainders = {t for t in cells.published_marts() if model_meta(t).get("remainder") is True}
    filled = set()
    for table in cells.published_marts():
        for r in rollups(table):
            if r.get("not_shown") in remainders:
                con.execute(publish_query("not_shown", catalog=catalog, not_shown=r["not_shown"], breakdown=table,
                                          parent=r["to"], by=", ".join(r["by"]),
                                          by_b=", ".join(f"b.{c}" for c in r["by"])))
                filled.add(r["not_shown"])
    if empty := sorted(remainders - filled):
        # a stale manifest or a declaration at the wrong level would leave the remainders empty
        raise RuntimeError(f"no published mart's meta.rolls_up names the remainder table(s) {', '.join(empty)} "
                           "as not_shown, so they would stay empty: see their YAML (meta.remainder)")


def fill_wide(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> None:
    """A wide table (its YAML's meta.wide_of names the long benchmark table it shows) as the long one is
    published, one row per municipality and year: per measure the columns of its meta.per_measure,
    each read from the long table's column it names, then each numerator and denominator (the measure
    dimension) once, shown only where every row of the long table that carries it shows it, so a cell
    hidden there is hidden here too."""
    meta, measure_dimension = model_meta(table), cells.dimensions()["measure"]
    measures = con.execute(f"SELECT measure, numerator, denominator FROM {catalog}.marts.{measure_dimension} "
                           "ORDER BY sort_order").fetchall()
    select = [f"max({t['source']}) FILTER (WHERE measure = '{m}') AS \"{t['name'].replace('{measure}', m)}\""
              for m, _, _ in measures for t in meta["per_measure"]]
    carried: dict[str, list[tuple[str, str]]] = {}  # quantity -> (measure, the column that shows it there)
    for m, numerator, denominator in measures:
        carried.setdefault(numerator, []).append((m, "municipality_numerator"))
        carried.setdefault(denominator, []).append((m, "municipality_denominator"))
    for quantity, sides in carried.items():
        hidden = " OR ".join(f"(measure = '{m}' AND {side} IS NULL)" for m, side in sides)
        shown = ", ".join(f"max({side}) FILTER (WHERE measure = '{m}')" for m, side in sides)
        select.append(f'CASE WHEN count(*) FILTER (WHERE {hidden}) = 0 THEN coalesce({shown}) END AS "{quantity}"')
    con.execute(f"""
        INSERT INTO {catalog}.marts.{table} BY NAME
        SELECT municipality_code, any_value(municipality_name) AS municipality_name,
               any_value(youth_care_region) AS youth_care_region, year, {', '.join(select)}
        FROM {catalog}.marts.{meta['wide_of']} GROUP BY municipality_code, year ORDER BY municipality_code, year""")


def fill_wide_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Every published mart whose YAML declares meta.wide_of, filled from its long table as published."""
    for table in publish_order():
        if model_meta(table).get("wide_of"):
            fill_wide(con, catalog, table)


KEPT_NAME = re.compile(r"jeugdzorg_v(\d+)\.duckdb")


def the_mart_declaring(key: str) -> str:
    """The one published mart whose YAML declares meta.<key>: the publication's own record
    (publication_record), the table of how headline figures moved (figures). None, or two, stops the publish: it would
    write into a table nobody chose."""
    return model_declaring(key, cells.published_marts(), "published mart")


def record_table() -> str:
    """The one-row table that says what the file is (its date, k, publication number): meta.publication_record."""
    return the_mart_declaring("publication_record")


def stamp_publication(con: duckdb.DuckDBPyConnection, catalog: str, version: int) -> None:
    """The publication's number and time in its record: the letters cite them, the registry records them."""
    con.execute(f"UPDATE {catalog}.marts.{record_table()} SET publication_version = ?, "
                "published_at = current_timestamp::TIMESTAMP", [version])


def _headline_cells(catalog: str) -> str:
    """Every headline figure of a published file as (key, period, figure, value), a hidden one empty:
    the figures that meta.figures lists in the YAML of the table declaring it."""
    return " UNION ALL ".join(
        f"SELECT '{table}' AS source_table, municipality_code, "
        + ("CAST(year AS VARCHAR) AS period, NULL::DATE AS month" if kind == "year"
           else "strftime(month, '%Y-%m') AS period, month")
        + f", '{kind}' AS period_kind, year, '{column}' AS figure, "
        f"CASE WHEN suppressed THEN NULL ELSE {column} END::DECIMAL(18, 2) AS value FROM {catalog}.marts.{table}"
        for table, kind, column in ((f["table"], f["period_kind"], f["column"])
                                    for f in model_meta(the_mart_declaring("figures"))["figures"]))


def kept_version(path: Path) -> int:
    return int(KEPT_NAME.fullmatch(path.name).group(1))


def kept_publications(warehouse: Warehouse) -> list[Path]:
    """The kept publications in file mode, oldest first."""
    return sorted((p for p in warehouse.publications_dir.glob("jeugdzorg_v*.duckdb") if KEPT_NAME.fullmatch(p.name)),
                  key=kept_version)


def fill_revisions(con: duckdb.DuckDBPyConnection, catalog: str, history: list[Path]) -> list[str]:
    """How each period's headline figures moved since the publication that first reported it, from
    published cells only: the kept publications' shown values (and the first values their own
    meta.figures table carried, so a pruned publication's figures stay the first) and this file's. A kept
    file that cannot be read as a versioned publication is left out; its name is returned."""
    revisions_table, record = the_mart_declaring("figures"), record_table()
    firsts = [f"SELECT h.municipality_code, h.period, h.figure, a.publication_version AS version, a.published_at, "
              f"h.value FROM ({_headline_cells(catalog)}) AS h, {catalog}.marts.{record} AS a"]
    attached, left_out = [], []
    try:
        for i, path in enumerate(history):
            alias = f"kept_{i}"
            try:
                con.execute(f"ATTACH {sql_literal(str(path))} AS {alias} (READ_ONLY)")
                attached.append(alias)
                tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                                                     "AND schema_name = 'marts'", [alias]).fetchall()}
                part = (f"SELECT h.municipality_code, h.period, h.figure, a.publication_version, a.published_at, "
                        f"h.value FROM ({_headline_cells(alias)}) AS h, {alias}.marts.{record} AS a "
                        "WHERE a.publication_version IS NOT NULL")
                if revisions_table in tables:
                    part += (" UNION ALL SELECT municipality_code, period, figure, first_version, first_published_at, "
                             f"value_first FROM {alias}.marts.{revisions_table}")
                con.execute(f"SELECT count(*) FROM ({part})").fetchone()  # readable, as this code reads it
                firsts.append(part)
            except duckdb.Error:
                left_out.append(path.name)
        con.execute(f"""
            INSERT INTO {catalog}.marts.{revisions_table}
            WITH firsts AS (
                SELECT * FROM ({' UNION ALL '.join(firsts)})
                QUALIFY row_number() OVER (PARTITION BY municipality_code, period, figure ORDER BY version) = 1)
            SELECT n.municipality_code, n.period, n.figure, n.period_kind, n.year, n.month, n.source_table,
                   f.version, f.published_at, f.value, a.publication_version, n.value, n.value - f.value,
                   coalesce(coalesce(n.month, make_date(n.year, 12, 1)) >= a.provisional_from, false)
            FROM ({_headline_cells(catalog)}) AS n
            JOIN firsts AS f USING (municipality_code, period, figure)
            CROSS JOIN {catalog}.marts.{record} AS a
            ORDER BY n.municipality_code, n.period_kind DESC, n.period, n.figure""")
    finally:
        for alias in attached:
            con.execute(f"DETACH {alias}")
    return left_out


def keep_publication(warehouse: Warehouse, version: int) -> list[Path]:
    """A copy of the file just published kept as publications/jeugdzorg_v<version>.duckdb (written
    beside it under a dot name, then renamed: a half copy is never a kept publication), and the
    oldest beyond the last `publications_kept` deleted: the history's maintenance in file mode.
    Returns what was deleted."""
    folder = warehouse.publications_dir
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".jeugdzorg_v{version}.duckdb.partial"
    shutil.copyfile(warehouse.published_db, partial)
    os.replace(partial, folder / f"jeugdzorg_v{version}.duckdb")
    old = kept_publications(warehouse)[:-warehouse.publications_kept]
    for path in old:
        path.unlink()
    return old


class UndeclaredColumnsError(RuntimeError):
    """A mart would publish a column that disclosure control knows nothing about."""


# what macros/additive_marker.sql ends a column's comment with: "(optelbaar ...)" or "(niet optelbaar: ...)"
ADDITIVITY_MARKER = re.compile(r"\((niet )?optelbaar\b")
NUMERIC = re.compile(r"^(BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER|DOUBLE|FLOAT|REAL|DECIMAL)")


def unmarked(con: duckdb.DuckDBPyConnection, working: str) -> list[str]:
    """`table.column` for every measure column of a published mart (a number that is not one of its
    keys) whose comment does not say whether it may be summed: its YAML has no meta.additive."""
    published = set(publish_order())
    return [f"{table}.{column}" for table, column, kind, comment in con.execute(
                "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() WHERE database_name = ? "
                "AND schema_name = 'marts' ORDER BY table_name, column_index", [working]).fetchall()
            if table in published and NUMERIC.match(kind) and column not in KEY_COLUMNS | set(grain(table))
            and not ADDITIVITY_MARKER.search(comment or "")]


def refuse_undeclared(con: duckdb.DuckDBPyConnection, working: str) -> None:
    """Stop before anything is written when a published mart has a column its YAML does not declare
    for disclosure control, or a measure column it does not mark additive or not."""
    published = set(publish_order())
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'marts' "
            "ORDER BY table_name, column_index", [working]).fetchall():
        if table in published:
            columns.setdefault(table, []).append(column)
    missing = cells.undeclared(columns)
    if missing:
        raise UndeclaredColumnsError(
            f"not published: {len(missing)} column(s) have no disclosure declaration in their model's YAML, so "
            f"nobody can say they are safe to publish: {', '.join(missing)}. Declare each under the column's "
            "meta.disclosure (public with the reason, derived, or the protected quantity it publishes: "
            "docs/adding_an_indicator.md); the BI file is left as it was.")
    unsaid = unmarked(con, working)
    if unsaid:
        raise UndeclaredColumnsError(
            f"not published: {len(unsaid)} measure column(s) do not say whether a BI tool may add them up: "
            f"{', '.join(unsaid)}. Mark each in its model's YAML (meta.additive: true, or false with "
            "meta.not_additive: the reason; docs/adding_an_indicator.md, \"Additive or not\"); the BI file is "
            "left as it was.")


def primary_suppressions(con: duckdb.DuckDBPyConnection, catalog: str) -> int:
    """Rows the models suppressed because they describe fewer than k clients."""
    tables = [t for (t,) in con.execute("SELECT DISTINCT table_name FROM duckdb_columns() WHERE database_name = ? "
                                        "AND schema_name = 'marts' AND column_name = 'suppressed'",
                                        [catalog]).fetchall()]
    return sum(con.execute(f"SELECT count(*) FROM {catalog}.marts.{t} WHERE suppressed").fetchone()[0]
               for t in tables)


def materialized_in_run(instance: dg.DagsterInstance, run_id: str) -> set[dg.AssetKey]:
    """The assets a run has materialized so far."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION,
                                           limit=100_000).records
    return {r.event_log_entry.dagster_event.asset_key for r in records}


def protection(warehouse: Warehouse) -> Targets:
    """What disclosure control must leave an attacker unsure of, at the warehouse's k."""
    return Targets(warehouse.min_cell_size, warehouse.protection_money_pct, warehouse.protection_count_share_of_k)


def baseline_of(warehouse: Warehouse) -> Baseline:
    """The primary cells and contradicted sums of the working file's marts (before protection)."""
    with warehouse.connect() as con:
        cells.load(con, con.execute("SELECT current_database()").fetchone()[0])
        return baseline(con)


def baseline_in(working: str | Path) -> Baseline:
    """`baseline_of` for a working file nobody is writing (a copy, a test's)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{working}' AS working (READ_ONLY)")
        cells.load(con, "working")
        return baseline(con)


def recoverable_cells(path: str, targets: Targets | None = None, base: Baseline | None = None) -> pd.DataFrame:
    """The attacker on a file: every suppressed cell it can work back, and every primary one (of
    `base`, `baseline_of`; None: every hidden cell) it can narrow beyond `targets` (none, for a
    publishable file). Without targets: the defaults at the file's own k (its record's min_cell_size)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS target (READ_ONLY)")
        if targets is None:
            (k,) = con.execute(f"SELECT min_cell_size FROM target.marts.{record_table()}").fetchone()
            targets = Targets(k)
        cells.load(con, "target", None if base is None else base.contradicted)
        return find_leaks(con, targets, primary=None if base is None else base.primary, verdict=True)


def verdict_path(candidate: Path) -> Path:
    """Where the blocking check leaves the digest of a clean verdict on `candidate`."""
    return candidate.with_name(candidate.name + ".attacked")


def _verdict_digest(candidate: Path, targets: Targets, base: Baseline) -> str:
    """What an attack's verdict depends on: the file's bytes, the targets and the baseline it was judged by."""
    digest = hashlib.sha256()
    with candidate.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    digest.update(repr((targets, sorted(base.primary), sorted(base.contradicted))).encode())
    return digest.hexdigest()


def attack_candidate(warehouse: Warehouse, reuse_verdict: bool = False) -> pd.DataFrame:
    """The attacker on the candidate file, by the working file's baseline and the warehouse's targets.
    A clean verdict is written beside the file with a digest of what it judged, so `published_warehouse`
    (`reuse_verdict`) takes it instead of attacking the same bytes again, a minute at national scale.
    Any difference in the bytes, the targets or the baseline, or no verdict at all, and it attacks."""
    candidate, targets, base = warehouse.candidate_db, protection(warehouse), baseline_of(warehouse)
    verdict, digest = verdict_path(candidate), _verdict_digest(candidate, targets, base)
    if reuse_verdict and verdict.exists() and verdict.read_text() == digest:
        return pd.DataFrame(columns=COLUMNS)
    verdict.unlink(missing_ok=True)
    leaks = recoverable_cells(str(candidate), targets, base)  # read only: the bytes stay those of `digest`
    if leaks.empty:
        verdict.write_text(digest)
    return leaks


def whole_graph(context: dg.AssetExecutionContext):
    """Every asset and check of the code location: a job's own graph knows only what it selects (a
    sensor's run of one kind of file would leave the other kinds' WARN checks out of the file). A run
    started by dg.materialize has no repository; its job holds every asset it was given."""
    try:
        return context.repository_def.asset_graph
    except dg_check.CheckError:
        return context.job_def.asset_layer.asset_graph


@dg.asset(group_name=PUBLISH, kinds={"duckdb"}, owners=["team:data"], deps=MART_KEYS,
          description="The next BI file, not yet published: every mart copied with its labels, keys and "
          "constraints, then disclosure control (secondary suppression until no suppressed cell can be worked "
          "back from the file). The blocking check no_suppressed_cell_can_be_recovered attacks it before "
          "published_warehouse puts it in place.")
def publication_candidate(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    candidate = warehouse.candidate_db
    for leftover in (candidate, candidate.with_name(candidate.name + ".wal"), verdict_path(candidate)):
        leftover.unlink(missing_ok=True)
    graph = whole_graph(context)
    upstream = graph.get_ancestor_asset_keys(context.asset_key)
    with warehouse.connect() as con:
        working = con.execute("SELECT current_database()").fetchone()[0]
        refuse_undeclared(con, working)
        # past every kept file too: a working file started afresh must not number over the history
        history = kept_publications(warehouse)
        version = max([next_publication_version(con), *(kept_version(p) + 1 for p in history)])
        # the WARN checks of what this file is built from, as they stand now (registry.warn_verdicts: a mart shows it)
        warnings_failing = record_verdicts(con, context.instance, [
            (key, graph.get_check_spec(key).metadata) for key in graph.asset_check_keys if key.asset_key in upstream])
        con.execute(f"ATTACH '{candidate}' AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        try:
            con.execute("CREATE SCHEMA pub.marts")
            con.execute("USE pub.marts")
            for table in publish_order():
                con.execute(create_table_sql(con, table, working, "pub"))
                con.execute(f"INSERT INTO pub.marts.{table} SELECT {spreadsheet_safe(con, working, table)} "
                            f"FROM {working}.marts.{table}")
                copy_comments(con, working, table, f"pub.marts.{table}")
            primary = primary_suppressions(con, "pub")
            outcome = protect(con, "pub", protection(warehouse))
            fill_not_shown(con, "pub")
            run_after_disclosure_control(con, "pub")
            fill_wide_tables(con, "pub")
            stamp_publication(con, "pub", version)
            left_out = fill_revisions(con, "pub", history)
            deprecated = create_deprecation_views(con, "pub")
            con.execute(f"UPDATE pub.marts.{record_table()} SET rows_suppressed_small_cells = ?, "
                        "cells_suppressed_secondary = ?, "
                        "clients_hidden_secondary = ?, spend_hidden_secondary_eur = ?",
                        [primary, outcome.cells_hidden, sum(outcome.clients.values()), sum(outcome.euros.values())])
            con.execute("CHECKPOINT pub")
        finally:
            con.execute(f"USE {working}")
            con.execute("DETACH pub")
    if left_out:
        context.log.warning(f"{the_mart_declaring('figures')}: these kept publications could not be read and were "
                            f"left out: {', '.join(left_out)}")
    if outcome.contradicted:
        context.log.warning("disclosure control: these sums do not hold in the marts where every cell is shown, so "
                            f"the attacker does not use them: {', '.join(sorted(outcome.contradicted))}")
    context.log.info(f"disclosure control: {primary:,} rows suppressed as small cells, {outcome.cells_hidden:,} "
                     f"more cells hidden so that none can be worked back ({outcome.rounds} rounds)")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(candidate)),
        "rows_suppressed_small_cells": primary,
        "cells_suppressed_secondary": outcome.cells_hidden,
        "clients_hidden_secondary": sum(outcome.clients.values()),
        "spend_hidden_secondary_eur": round(sum(outcome.euros.values()), 2),
        "secondary_suppression": dg.MetadataValue.md(outcome.markdown()),
        "rounds": outcome.rounds,
        "sums_left_out_as_contradicted": ", ".join(sorted(outcome.contradicted)) or "none",
        "min_cell_size": warehouse.min_cell_size,
        "publication_version": version,
        "deprecated_views": ", ".join(deprecated) or "none",
        "warn_checks_failing": warnings_failing,
    })


@dg.asset(group_name=PUBLISH, kinds={"duckdb"}, owners=["team:data"], deps=[publication_candidate],
          description="The BI warehouse jeugdzorg.duckdb: schema marts (aggregates and dimensions) and, for one "
          "release, schema deprecated (views of renamed marts under their old column names), "
          "every table and column commented, no suppressed cell recoverable, replaced atomically at the end of "
          "a successful run.")
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    candidate, target = warehouse.candidate_db, warehouse.published_db
    if not candidate.exists():
        raise FileNotFoundError(f"no candidate file {candidate}: materialize publication_candidate first (the "
                                "nightly job does both)")
    # the check on the candidate blocks this step in the same run; this guards a publish started on its own
    # (or of a file changed since the check attacked it)
    leaks = attack_candidate(warehouse, reuse_verdict=True)
    if not leaks.empty:
        raise RuntimeError(f"not published: {len(leaks)} suppressed cells can be worked back from {candidate} "
                           "(see the check no_suppressed_cell_can_be_recovered)")
    with duckdb.connect(str(candidate), read_only=True) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in publish_order()}
        hidden, version, published_at = con.execute(
            f"SELECT cells_suppressed_secondary, publication_version, published_at FROM marts.{record_table()}"
        ).fetchone()
    with warehouse.connect() as con:
        through = data_through(con)
        os.replace(candidate, target)
        verdict_path(candidate).unlink(missing_ok=True)
        built = materialized_in_run(context.instance, context.run_id)
        record_publication(con, warehouse, context.run_id, complete={dg.AssetKey(m) for m in MODELS} <= built,
                           version=version, published_at=published_at)
    pruned = keep_publication(warehouse, version)
    # platform mode only: the same marts into the lake as one DuckLake snapshot (foundation/lake_publish.py)
    in_lake = keep_in_lake(warehouse, target, version, published_at, through, context.run_id)
    # one short line on the terminal page: the summary below it names the file in full
    context.log.info(f"published {len(counts)} tables as publication v{version} (data through "
                     f"{through['data_through'].value}) to {target.name}; kept in {warehouse.publications_dir.name}/ "
                     f"with the last {warehouse.publications_kept} ({len(pruned)} older ones deleted)")
    md = "| table | rows |\n|---|---|\n" + "".join(f"| marts.{t} | {n:,} |\n" for t, n in counts.items())
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(target)),
        "tables": dg.MetadataValue.md(md),
        "storage_version": STORAGE_VERSION,
        "publication_version": version,
        "kept_publication": dg.MetadataValue.path(str(warehouse.publications_dir / f"jeugdzorg_v{version}.duckdb")),
        "cells_suppressed_secondary": hidden,
        "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
        **through,
        **in_lake,
    })
