"""What a report says, read from the published file only (`warehouse/jeugdzorg.duckdb`, schema
`marts`), never from the pipeline's working file: a report can show nothing the file hides.

A row with `suppressed = true` is left out whole (even where a column of it is still filled) and
counted, so the text can say how much is not shown; a value emptied by secondary suppression
stays empty. The loaders return plain dicts of Python values: the fingerprint of a report is the
hash of exactly that dict, so a report is re-rendered when, and only when, what it would show
changes.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from assets.reports.period import ReportPeriod, municipality_key, region_key

OUTCOME_MEASURES = ("ended_as_planned_pct", "dropout_pct", "no_recurrence_pct", "satisfaction_mean")
COST_MEASURES = ("spend_per_youth_eur", "clients_per_1000_youth", "spend_per_client_eur", "evidence_based_spend_pct")
GROWTH_MEASURES = ("spend_change_pct", "client_effect_pct", "per_client_effect_pct", "price_effect_pct",
                   "volume_mix_effect_pct", "tariff_change_pct")
BENCHMARK_MEASURES = (*COST_MEASURES, *OUTCOME_MEASURES, *GROWTH_MEASURES, "running_over_12m_pct",
                      "running_over_24m_pct", "running_without_outcome_over_12m_pct")


@dataclass(frozen=True)
class Subject:
    """One report: a municipality in the data, or a youth-care region that holds one."""

    key: str  # the partition key: 'GM0141' or 'regio_Twente'
    kind: str  # 'municipality' | 'region'
    name: str
    region: str
    code: str | None = None


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [{n: _clean(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def connect(published_db: Path) -> duckdb.DuckDBPyConnection:
    if not published_db.exists():
        raise FileNotFoundError(f"no published file at {published_db}: run the refresh first (make run)")
    return duckdb.connect(str(published_db), read_only=True)


def about(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    (row,) = rows(con, "SELECT data_through, outcome_records_through, min_cell_size, files_loaded, files_rejected, "
                       "files_retracted, rows_suppressed_small_cells, cells_suppressed_secondary FROM marts.about")
    return row


def subjects(con: duckdb.DuckDBPyConnection) -> list[Subject]:
    """Every municipality with declarations in the file, and every region that holds one."""
    found = rows(con, "SELECT DISTINCT municipality_code, municipality_name, youth_care_region "
                      "FROM marts.cost_by_municipality_year ORDER BY municipality_code")
    out = [Subject(municipality_key(r["municipality_code"]), "municipality", r["municipality_name"],
                   r["youth_care_region"], r["municipality_code"]) for r in found]
    regions = sorted({r["youth_care_region"] for r in found if r["youth_care_region"]})
    return out + [Subject(region_key(g), "region", g, g) for g in regions]


def _benchmark(con: duckdb.DuckDBPyConnection, where: str, params: list, year: int) -> dict[str, dict[int, dict]]:
    """measure -> year -> the row's values (a suppressed row: only that it is suppressed)."""
    out: dict[str, dict[int, dict]] = {}
    for r in rows(con, f"SELECT year, measure, suppressed, municipality_value AS value, municipality_denominator AS n, "
                       f"region_value, region_denominator AS region_n, all_value, all_denominator AS all_n, "
                       f"region_rank, region_municipalities FROM marts.region_benchmark WHERE {where} AND year <= ? "
                       f"ORDER BY year", [*params, year]):
        if r["suppressed"]:
            r = {"suppressed": True, "year": r["year"], "measure": r["measure"]}
        out.setdefault(r["measure"], {})[r["year"]] = r
    return out


def _visible(con: duckdb.DuckDBPyConnection, table: str, columns: str, where: str, params: list,
             order: str) -> tuple[list[dict], int]:
    """The rows of `table` (a mart, aliased t, with any joins after it) that are not suppressed, and
    how many are."""
    source = f"marts.{table}" if " " not in table else f"marts.{table.replace(' t ', ' AS t ', 1)}"
    if " " not in table:
        source += " AS t"
    shown = rows(con, f"SELECT {columns} FROM {source} WHERE {where} AND NOT t.suppressed ORDER BY {order}", params)
    (hidden,) = con.execute(f"SELECT count(*) FROM {source} WHERE {where} AND t.suppressed", params).fetchone()
    return shown, int(hidden)


def region_peers(con: duckdb.DuckDBPyConnection, region: str, year: int, measure: str) -> list[dict]:
    """Every municipality of the region with its value of `measure` in `year` (None where not shown)."""
    return rows(con, "SELECT municipality_code AS code, municipality_name AS name, "
                     "CASE WHEN suppressed THEN NULL ELSE municipality_value END AS value, "
                     "CASE WHEN suppressed THEN NULL ELSE municipality_denominator END AS n "
                     "FROM marts.region_benchmark WHERE youth_care_region = ? AND year = ? AND measure = ? "
                     "ORDER BY municipality_name", [region, year, measure])


def load_municipality(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    code, year = subject.code, period.year
    m = "t.municipality_code = ? AND t.year = ?"
    interventions, interventions_hidden = _visible(
        con, "interventions", "product_code, product_category, intervention, nji_erkenning, is_effective, spend_eur, "
        "clients, trajectories_ended, ended_as_planned_pct, dropout_pct, no_recurrence_pct", m, [code, year],
        "spend_eur DESC NULLS LAST, product_code")
    categories, categories_hidden = _visible(
        con, "effectiveness_by_municipality_product t LEFT JOIN marts.dim_product_category USING (product_category)",
        "product_category, product_category_description AS description, trajectories_ended, ended_as_planned_pct, "
        "dropout_pct, no_recurrence_pct, satisfaction_mean, satisfaction_responses", m, [code, year],
        "product_category")
    referral, referral_hidden = _visible(
        con, "referral_channels t JOIN marts.dim_referrer AS r USING (referrer)",
        "referrer, r.referrer_description AS description, trajectories_started, share_of_starts_pct, "
        "region_share_of_starts_pct, trajectories_ended, ended_as_planned_pct, dropout_pct", m, [code, year],
        "r.sort_order")
    providers, providers_hidden = _visible(
        con, "spend_by_municipality_provider_year", "provider_name, spend_eur, share_of_municipality_spend_pct, "
        "provider_margin_pct, margin_above_3pct, rank_in_municipality", m, [code, year], "rank_in_municipality")
    allocation, allocation_hidden = _visible(
        con, "allocation_control", "allocations, allocated_volume_eur, declared_eur, declared_over_allocation_eur, "
        "lines_outside_allocation_period, allocations_without_declarations, declarations_without_allocation",
        m, [code, year], "provider_agb")
    return {
        "kind": "municipality", "key": subject.key, "code": code, "name": subject.name, "region": subject.region,
        "period": {"kind": period.kind, "label": period.label, "year": year},
        "benchmark": _benchmark(con, "municipality_code = ?", [code], year),
        "peers": region_peers(con, subject.region, year, "spend_per_youth_eur"),
        "cost_years": _visible(con, "cost_by_municipality_year", "year, spend_eur, clients, youth_population, "
                               "spend_per_youth_eur, spend_per_client_eur, evidence_based_spend_pct",
                               "t.municipality_code = ? AND t.year <= ?", [code, year], "year")[0],
        "growth": _visible(con, "spend_growth", "*", m, [code, year], "year")[0],
        "effectiveness": _visible(con, "effectiveness_by_municipality", "*", m, [code, year], "year")[0],
        "interventions": interventions, "interventions_hidden": interventions_hidden,
        "categories": categories, "categories_hidden": categories_hidden,
        "referral": referral, "referral_hidden": referral_hidden,
        "duration": _duration(con, subject.region, year),
        "landscape": _visible(con, "provider_landscape",
                              "year, providers, hhi, hhi_band, top5_share_pct, top5_share_band",
                              "t.municipality_code = ? AND t.year <= ?", [code, year], "year")[0],
        "providers": providers, "providers_hidden": providers_hidden,
        "margins_above_3": rows(con, "SELECT provider_name, provider_margin_pct "
                                     "FROM marts.spend_by_municipality_provider_year "
                                     "WHERE municipality_code = ? AND year = ? AND margin_above_3pct "
                                     "ORDER BY provider_margin_pct DESC, provider_name", [code, year]),
        "provider_rows": con.execute("SELECT count(*) FROM marts.spend_by_municipality_provider_year "
                                     "WHERE municipality_code = ? AND year = ?", [code, year]).fetchone()[0],
        "allocation": allocation, "allocation_hidden": allocation_hidden,
        "not_shown": rows(con, "SELECT table_name, spend_eur, spend_shown_eur, spend_not_shown_eur, rows_shown, "
                               "rows_not_shown FROM marts.spend_not_shown WHERE municipality_code = ? AND year = ? "
                               "ORDER BY table_name", [code, year]),
        "months": _months(con, "municipality_code = ?", [code], period),
    }


def _duration(con: duckdb.DuckDBPyConnection, region: str, year: int) -> dict[str, Any]:
    shown, hidden = _visible(
        con, "duration_effect_by_region t LEFT JOIN marts.dim_product_category USING (product_category)",
        "product_category, product_category_description AS description, duration_band, duration_band_order, "
        "trajectories_ended, ended_as_planned_pct, no_recurrence_pct, cost_per_trajectory_eur",
        "t.youth_care_region = ? AND t.end_year = ?", [region, year], "product_category, duration_band_order")
    return {"rows": shown, "hidden": hidden}


def _months(con: duckdb.DuckDBPyConnection, where: str, params: list, period: ReportPeriod) -> list[dict]:
    """The period's months, for a quarter report (a year report keeps to the yearly tables)."""
    if period.quarter is None:
        return []
    return rows(con, f"SELECT month, CASE WHEN suppressed THEN NULL ELSE spend_eur END AS spend_eur, "
                     f"CASE WHEN suppressed THEN NULL ELSE clients END AS clients, suppressed "
                     f"FROM marts.cost_trends_by_municipality WHERE {where} AND month BETWEEN ? AND ? ORDER BY month",
                [*params, period.first_day, period.last_day])


def load_region(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    region, year = subject.name, period.year
    members = rows(con, "SELECT DISTINCT municipality_code AS code, municipality_name AS name "
                        "FROM marts.cost_by_municipality_year WHERE youth_care_region = ? ORDER BY name", [region])
    table = {m: region_peers(con, region, year, m) for m in (*COST_MEASURES, *OUTCOME_MEASURES)}
    landscape = rows(con, "SELECT municipality_name AS name, providers, hhi, hhi_band, top5_share_pct, "
                          "top5_share_band, suppressed FROM marts.provider_landscape "
                          "WHERE youth_care_region = ? AND year = ? ORDER BY name",
                     [region, year])
    referral = rows(con, "SELECT referrer, r.referrer_description AS description, "
                         "max(region_share_of_starts_pct) AS region_share_of_starts_pct "
                         "FROM marts.referral_channels JOIN marts.dim_referrer AS r USING (referrer) "
                         "WHERE youth_care_region = ? AND year = ? GROUP BY ALL ORDER BY any_value(r.sort_order)",
                    [region, year])
    return {
        "kind": "region", "key": subject.key, "name": region, "region": region,
        "period": {"kind": period.kind, "label": period.label, "year": year},
        "members": members,
        # the region's own values sit on every member's row; any member's row gives them
        "benchmark": _region_benchmark(con, region, year),
        "table": table,
        "landscape": [{k: (None if r["suppressed"] and k not in ("name", "suppressed") else v) for k, v in r.items()}
                      for r in landscape],
        "referral": referral,
        "duration": _duration(con, region, year),
        "not_shown": rows(con, "SELECT s.table_name, sum(s.spend_not_shown_eur) AS spend_not_shown_eur, "
                               "sum(s.rows_not_shown) AS rows_not_shown, sum(s.spend_eur) AS spend_eur "
                               "FROM marts.spend_not_shown AS s JOIN marts.dim_municipality USING (municipality_code) "
                               "WHERE youth_care_region = ? AND year = ? GROUP BY ALL ORDER BY 1", [region, year]),
    }


def _region_benchmark(con: duckdb.DuckDBPyConnection, region: str, year: int) -> dict[str, dict[int, dict]]:
    out: dict[str, dict[int, dict]] = {}
    for r in rows(con, "SELECT year, measure, any_value(region_value) AS value, any_value(region_denominator) AS n, "
                       "any_value(all_value) AS all_value, any_value(all_denominator) AS all_n, "
                       "max(region_municipalities) AS region_municipalities "
                       "FROM marts.region_benchmark WHERE youth_care_region = ? AND year <= ? "
                       "GROUP BY year, measure ORDER BY year", [region, year]):
        out.setdefault(r["measure"], {})[r["year"]] = r
    return out


def load(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod, about_row: dict) -> dict[str, Any]:
    data = (load_municipality if subject.kind == "municipality" else load_region)(con, subject, period)
    data["about"] = {k: v for k, v in about_row.items()}
    return data


def fingerprint(data: dict[str, Any], code_version: str) -> str:
    """SHA-256 of what the report shows and of the code that lays it out."""
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False) + "\n" + code_version
    return hashlib.sha256(blob.encode()).hexdigest()
