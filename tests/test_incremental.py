"""A refresh that follows earlier ones publishes exactly what a full rebuild of the same files publishes.

Night after night the warehouse grows by the new files only, and a night with nothing new keeps the
published file (foundation/fingerprint.py). This test runs that life on demo data: a first refresh
without the latest month; a refresh that brings the latest month, a late credit for a month
already published and a provider's re-sent file; the retraction of one of the latest month's
files and the refresh after it; then a refresh with nothing new. A full rebuild of the files that
are left, from an empty warehouse, must publish the same tables row for row, and the raw, staging
and quarantine tables must hold the same rows.

The smallest cell is 1 (nothing suppressed): what is compared is how the rows arrive, not
disclosure control, which is a function of the marts compared here (and tested on its own in
test_disclosure.py and on the demo in test_demo_planted_effects.py). At k=5 on this small demo
nearly every cell is small, and protecting it took five of the eight minutes of each refresh.
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo_data.generator import DemoGenerator
from foundation.fingerprint import FULL_REBUILD_TAG
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.test_retraction import retract_with_job

KEY = "incremental-test-key"
CREDITED_LINES = 5
K = 1


def refresh(wh: Warehouse, full: bool = False) -> dg.ExecuteInProcessResult:
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": wh}, raise_on_error=False,
                            tags={FULL_REBUILD_TAG: "true"} if full else None)
    assert result.success
    return result


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def latest_month_files(declarations: Path) -> list[Path]:
    """The files of the last service month (names end in _YYYYMM)."""
    month = max(p.stem[-6:] for p in declarations.iterdir())
    return sorted(p for p in declarations.iterdir() if p.stem.endswith(month))


def write_late_credit(declarations: Path) -> tuple[Path, int]:
    """Credits for the first lines of the earliest CSV file, as a provider sends them months later:
    each with its own reference, pointing at the debit it reverses. Returns the file and the cents."""
    source = min(declarations.glob("*.csv"))
    with source.open(newline="") as f:
        rows = list(csv.DictReader(f))[:CREDITED_LINES]
    for row in rows:
        row["vorig_referentienummer"] = row["referentienummer"]
        row["referentienummer"] = row["referentienummer"] + "C"
        row["debet_credit"] = "C"
    target = declarations / f"{source.stem}_late_credit.csv"
    with target.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target, sum(int(r["ingediend_bedrag"]) for r in rows)


def net_spend(wh: Warehouse, where: str = "", params: list | None = None) -> Decimal:
    with duckdb.connect(str(wh.working_db), read_only=True) as con:
        return con.execute(f"SELECT sum(amount_eur) FROM staging.declaration_lines {where}", params).fetchone()[0]


HISTORY = ["ingested_at", "refreshed_at", "file_id", "evaluated_at", "run_id", "publication_version", "published_at",
           "first_version", "first_published_at", "value_first", "version_now", "value_change", "files_retracted"]
# the nightly warehouse's record of its retraction, which the full rebuild never saw: that a file was
# retracted (about.files_retracted above, and its row in data_quality_summary), not what it held
RETRACTION_RECORD = {"marts.data_quality_summary": "WHERE status <> 'retracted'"}


def rows_by_table(db: Path, schemas: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Every table's and view's column names and types and its rows, sorted: the order files were ingested in
    differs between the two histories, and so do when (ingested_at, refreshed_at, and when and in which run a
    WARN check last ran: evaluated_at, run_id) and the registry's numbering of the files (file_id), not what;
    the file's name stays in every row that has it. So do the publications: the nightly warehouse
    published twice, the full rebuild once, so the version, its time and what revisions says about
    the first publication differ by design; the value a period has now does not. So does the record
    of the retraction (RETRACTION_RECORD)."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for schema, table in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN (SELECT unnest(?)) ORDER BY ALL", [list(schemas)]).fetchall():
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? AND column_name NOT IN (SELECT unnest(?)) "
                "ORDER BY ordinal_position",
                [schema, table, HISTORY]).fetchall()
            selected = ", ".join('"' + c + '"' for c, _ in columns)
            where = RETRACTION_RECORD.get(f"{schema}.{table}", "")
            rows = con.execute(f"SELECT {selected} FROM {schema}.{table} {where} ORDER BY ALL").fetchall()
            out[f"{schema}.{table}"] = [tuple(columns), *rows]
    return out


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """The warehouse of a team that refreshed four times, and a full rebuild of the same files."""
    nightly = tmp_path_factory.mktemp("nightly")
    declarations = nightly / "raw" / "declarations"
    DemoGenerator(nightly / "raw", scale=0.05, seed=11).run()
    held = tmp_path_factory.mktemp("held")
    late_month = latest_month_files(declarations)
    for path in late_month:
        shutil.move(path, held / path.name)
    wh = Warehouse(data_dir=str(nightly), pseudonym_key=KEY, min_cell_size=K)
    first = refresh(wh)
    spend_before = net_spend(wh)

    time.sleep(0.01)  # the new files arrive after the first night: later modification times
    for path in late_month:
        shutil.move(held / path.name, declarations / path.name)
        os.utime(declarations / path.name)
    _, credited_cents = write_late_credit(declarations)
    resent = min(declarations.glob("*.csv"), key=lambda p: p.stat().st_size)
    shutil.copy(resent, declarations / f"{resent.stem}_resent.csv")
    second = refresh(wh)
    spend_second = net_spend(wh)
    months = [f"declarations/{p.name}" for p in late_month]
    latest_spend = net_spend(wh, "WHERE source_file IN (SELECT unnest(?))", [months])

    # a provider withdraws one of the latest month's files after it was published
    retracted = late_month[0]
    retraction = retract_with_job(wh, f"declarations/{retracted.name}", "the wrong month; a correction follows")
    assert retraction.success
    third = refresh(wh)
    published_at = wh.published_db.stat().st_mtime_ns
    fourth = refresh(wh)

    full = tmp_path_factory.mktemp("full")
    shutil.copytree(nightly / "raw", full / "raw")  # copy2: the files keep their order of arrival
    (full / "raw" / "declarations" / retracted.name).unlink()  # retracted: as if it had never come
    full_wh = Warehouse(data_dir=str(full), pseudonym_key=KEY, min_cell_size=K)
    rebuilt = refresh(full_wh, full=True)
    return {"wh": wh, "full_wh": full_wh, "first": first, "second": second, "third": third, "fourth": fourth,
            "rebuilt": rebuilt, "retraction": retraction, "published_at": published_at, "late_month": late_month,
            "spend_before": spend_before, "spend_second": spend_second, "latest_spend": latest_spend,
            "credited_cents": credited_cents, "retracted": retracted}


def test_each_night_with_news_publishes_and_a_night_without_keeps_the_file(nights):
    for night in ("first", "second", "third"):  # new files twice, then a retraction
        assert "published_warehouse" in materialized(nights[night]), night
    assert not materialized(nights["fourth"]) & {"trajectories", "cost_by_municipality_year"}
    assert not materialized(nights["fourth"]) & {"published_warehouse", "publication_candidate"}
    assert nights["wh"].published_db.stat().st_mtime_ns == nights["published_at"]
    # the night confirmed the file current: what the freshness check on it reads
    observed = [e for e in nights["fourth"].all_events if e.event_type_value == "ASSET_OBSERVATION"
                and e.asset_key == dg.AssetKey("published_warehouse")]
    assert len(observed) == 1
    with duckdb.connect(str(nights["wh"].working_db), read_only=True) as con:
        statuses = dict(con.execute("SELECT source_file, status FROM registry.files WHERE source_file LIKE "
                                    "'%_resent.csv' OR source_file LIKE '%_late_credit.csv' OR source_file = ?",
                                    [f"declarations/{nights['retracted'].name}"]).fetchall())
    assert sorted(statuses.values()) == ["already_loaded", "loaded", "retracted"]


def test_the_late_credit_the_latest_month_and_the_retraction_are_counted_once(nights):
    """The second night's net spend = the first's + the latest month's - the credit, to the cent:
    the re-sent file adds nothing; the retraction then takes exactly its own file's lines away.
    (The published totals then follow from the comparison with the full rebuild below.)"""
    assert nights["latest_spend"] > 0
    assert nights["spend_second"] == (nights["spend_before"] + nights["latest_spend"]
                                      - Decimal(nights["credited_cents"]) / 100)
    removed = nights["retraction"].get_asset_materialization_events()[0].materialization.metadata["rows_removed"]
    assert removed.value > 0
    assert 0 < nights["spend_second"] - net_spend(nights["wh"]) < nights["latest_spend"]


@pytest.mark.parametrize(("file", "schemas"), [("published_db", ("marts",)),
                                              ("working_db", ("raw", "staging", "quarantine"))])
def test_the_nightly_warehouse_holds_what_a_full_rebuild_holds(nights, file, schemas):
    """Table by table: the published marts, and the raw, staging and quarantine tables they come from."""
    nightly = rows_by_table(getattr(nights["wh"], file), schemas)
    full = rows_by_table(getattr(nights["full_wh"], file), schemas)
    assert sorted(nightly) == sorted(full)
    assert len(nightly) >= 10
    assert [t for t in nightly if nightly[t] != full[t]] == []


# monthly_flows as it was first written: every trajectory in every month it spans, counted there. The
# model now counts where spans open and close (it must scale to national data); this is its oracle.
MONTH_BY_MONTH_FLOWS = """
WITH bounds AS (
    SELECT min(service_month) AS first_month, date_trunc('month', max(period_end)) AS last_month
    FROM staging.declaration_lines
),
months AS (
    SELECT t.municipality_code, m.month::DATE AS month, last_day(m.month)::DATE AS month_end
    FROM (SELECT DISTINCT municipality_code FROM staging.trajectories) AS t
    CROSS JOIN bounds AS b
    CROSS JOIN generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS m(month)
),
spans AS (
    SELECT m.municipality_code, m.month, t.client_pseudonym, t.surveyed,
        date_trunc('month', t.start_date) = m.month AS started,
        t.ended AND date_trunc('month', t.end_date) = m.month AS ended,
        t.start_date <= m.month_end AND (NOT t.ended OR t.end_date > m.month_end) AS running,
        date_diff('day', t.start_date, m.month_end) AS days
    FROM months AS m
    JOIN staging.trajectories AS t
        ON t.municipality_code = m.municipality_code AND t.start_date <= m.month_end
       AND (NOT t.ended OR t.end_date >= m.month)
)
SELECT municipality_code, month,
    count(*) FILTER (WHERE started)::BIGINT, count(*) FILTER (WHERE ended)::BIGINT,
    count(*) FILTER (WHERE running)::BIGINT, count(*) FILTER (WHERE running AND days >= 365)::BIGINT,
    count(*) FILTER (WHERE running AND days >= 730)::BIGINT,
    count(*) FILTER (WHERE running AND days >= 365 AND NOT surveyed)::BIGINT,
    count(*) FILTER (WHERE running AND days >= 730 AND NOT surveyed)::BIGINT,
    coalesce(sum(days) FILTER (WHERE running), 0)::BIGINT, count(DISTINCT client_pseudonym)::BIGINT
FROM spans GROUP BY ALL ORDER BY ALL
"""


# (client, start, end, ended, surveyed): two overlapping trajectories of one client, one of them still
# running; adjoining ones; one that ends in the month it starts; one whose end lies before its start;
# one from before the first declared month; one that reaches 12 and 24 months at a month's end;
# one marked ended without an end date; one without a start; one client's spans that tie in their
# months, with a gap before two more; a trajectory without a client
PLANTED = [("P1", "2023-01-10", "2023-06-20", True, True), ("P1", "2023-03-05", None, False, False),
           ("P2", "2023-01-01", "2023-02-10", True, False), ("P2", "2023-03-01", "2023-04-01", True, False),
           ("P3", "2023-04-15", "2023-04-28", True, False), ("P4", "2023-05-10", "2023-03-01", True, False),
           ("P5", "2015-01-01", "2021-02-15", True, True), ("P6", "2022-02-28", None, False, False),
           ("P6", "2022-03-01", "2024-03-01", True, False), ("P7", "2023-02-01", None, True, False),
           ("P8", None, "2023-02-01", True, False), ("P9", "2023-01-05", "2023-03-20", True, False),
           ("P9", "2023-01-15", "2023-03-01", True, False), ("P9", "2023-06-01", None, False, False),
           ("P9", "2023-06-10", None, False, False), (None, "2023-02-01", None, False, False)]


def test_monthly_flows_equal_the_month_by_month_definition(nights, tmp_path):
    """The model as dbt compiled it, on the demo's trajectories plus the planted ones, against the oracle."""
    working = nights["full_wh"].working_db
    copy = tmp_path / working.name  # the same name: the compiled SQL names its catalog after the file
    shutil.copy(working, copy)
    compiled = next((working.parent / "dbt" / "dbt_models" / "compiled").rglob("monthly_flows.sql")).read_text()
    with duckdb.connect(str(copy)) as con:
        municipality = con.execute("SELECT min(municipality_code) FROM staging.trajectories").fetchone()[0]
        for n, (client, start, end, ended, surveyed) in enumerate(PLANTED):
            con.execute("INSERT INTO staging.trajectories (municipality_code, allocation_number, client_pseudonym, "
                        "start_date, end_date, ended, surveyed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [municipality, f"PLANTED{n}", client, start, end, ended, surveyed])
        model = con.execute(f"SELECT * FROM ({compiled}) ORDER BY ALL").fetchall()
        oracle = con.execute(MONTH_BY_MONTH_FLOWS).fetchall()
        built = con.execute("SELECT * FROM staging.monthly_flows ORDER BY ALL").fetchall()
    assert len(model) > 100
    assert model != built  # the planted trajectories count
    assert model == oracle
