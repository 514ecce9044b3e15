"""What a report says, read from the published file only (`warehouse/jeugdzorg.duckdb`, schema
`marts`), never from the pipeline's working file: a report can show nothing the file hides.

Every value carries where it came from, so the letter can list, for each figure it prints, a SQL
query that returns that figure from the published file alone (the figure list beside the PDF):
- a row loaded by `select` holds `_src` (the mart, aliased t, and the predicate that picks exactly
  this row) and `_expr` (the SQL expression of each column), so `trace_sql(row, column)` writes the
  query;
- a figure the letter does not read from one row (a total, a count) comes from `scalar`: its value
  and the query that computed it, run here and written down as it ran.

A row with `suppressed = true` is kept as a row (so the letter can say a value is hidden rather than
missing), but every value of it is emptied here, even where a column of it is still filled in the
file; a value emptied by secondary suppression stays empty. The loaders return plain dicts of Python
values: the fingerprint of a report is the hash of exactly that dict, so a report is re-rendered
when, and only when, what it would show changes.
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

# the families of region_benchmark's measures a region letter shows its members side by side on
# (dim_measure.measure_group, written once in macros/benchmark_measures.sql)
PEER_GROUPS = ("cost", "outcome", "growth")
# the two outcomes of provider_adjusted_outcomes: column prefix -> (observed, expected)
FUNNEL_OUTCOMES = {"dropout": ("dropouts", "expected_dropouts"), "planned": ("ended_as_planned", "expected_planned")}


@dataclass(frozen=True)
class Subject:
    """One report: a municipality in the data, or a youth-care region that holds one."""

    key: str  # the partition key: 'GM0141_Almelo' or 'regio_Twente'
    kind: str  # 'municipality' | 'region'
    name: str
    region: str | None
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


def lit(value: Any) -> str:
    """A value as a SQL literal, so a traced query runs as written, without parameters."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [{n: _clean(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def eq(**columns: Any) -> str:
    """`t.a = 'x' AND t.b = 2`: the predicate of a traced query."""
    return " AND ".join(f"t.{k} IS NULL" if v is None else f"t.{k} = {lit(v)}" for k, v in columns.items())


def select(con: duckdb.DuckDBPyConnection, source: str, keys: list[str], exprs: dict[str, str], where: str,
           order: str | None = None, group: bool = False, suppressed: bool = True) -> list[dict[str, Any]]:
    """The rows of `source` (a mart aliased t, with any joins after it) under `where`, one dict each
    with its keys, each expression under its alias, and its provenance. `group`: the expressions are
    aggregates over the rows that share the keys. A suppressed row keeps its keys and loses its
    values."""
    key_cols = ", ".join(f"t.{k}" for k in keys)
    exprs = dict(exprs)
    cols = ", ".join(f"{e} AS {a}" for a, e in exprs.items())
    flag = ", t.suppressed AS suppressed" if suppressed and not group else ", false AS suppressed"
    sql = (f"SELECT {key_cols}, {cols}{flag} FROM marts.{source} WHERE {where}"
           + (f" GROUP BY {key_cols}" if group else "") + f" ORDER BY {order or key_cols}")
    out = []
    for r in rows(con, sql):
        if r["suppressed"]:
            r = {**{k: r[k] for k in keys}, **dict.fromkeys(exprs), "suppressed": True}
        if suppressed and not group:
            shown = {a: f"CASE WHEN t.suppressed THEN NULL ELSE {e} END" for a, e in exprs.items()}
        else:
            shown = exprs
        r["_src"] = {"from": f"marts.{source}", "base": where,
                     "where": f"{where} AND {eq(**{k: r[k] for k in keys})}"}
        r["_expr"] = shown
        out.append(r)
    return out


def trace_sql(row: dict[str, Any], column: str) -> str:
    """The query that returns `row[column]` from the published file."""
    src = row["_src"]
    return f"SELECT {row['_expr'][column]} FROM {src['from']} WHERE {src['where']}"


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """The value of a one-value query and the query itself (as a dict: it goes into the fingerprint)."""
    (value,) = con.execute(sql).fetchone() or (None,)
    return {"value": _clean(value), "sql": sql}


def connect(published_db: Path) -> duckdb.DuckDBPyConnection:
    if not published_db.exists():
        raise FileNotFoundError(f"no published file at {published_db}: run the refresh first (make run)")
    return duckdb.connect(str(published_db), read_only=True)


# what `about` says of the publication (assets/publish.py); a file published before these existed lacks them
PUBLICATION_COLUMNS = ("publication_version", "published_at", "provisional_months", "provisional_from")


def about(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The one row of `about`, with its provenance: the letter prints k, the file counts and the
    publication it cites from it."""
    present = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                                         "AND table_name = 'about'").fetchall()}
    cols = ("data_through", "outcome_records_through", "min_cell_size", "files_loaded", "files_rejected",
            "files_retracted", *(c for c in PUBLICATION_COLUMNS if c in present))
    (r,) = rows(con, f"SELECT {', '.join(cols)} FROM marts.about")
    r["_src"] = {"from": "marts.about AS t", "where": "true"}
    r["_expr"] = {c: f"t.{c}" for c in cols}
    r["suppressed"] = False
    return r


def subjects(con: duckdb.DuckDBPyConnection) -> list[Subject]:
    """Every municipality with declarations in the file, and every region that holds one. A
    municipality the reference list does not name is called by its CBS code."""
    found = rows(con, "SELECT DISTINCT municipality_code, municipality_name, youth_care_region "
                      "FROM marts.cost_by_municipality_year ORDER BY municipality_code")
    named = [(r, r["municipality_name"] or f"gemeente {r['municipality_code']}") for r in found]
    out = [Subject(municipality_key(r["municipality_code"], name), "municipality", name, r["youth_care_region"],
                   r["municipality_code"]) for r, name in named]
    regions = sorted({r["youth_care_region"] for r in found if r["youth_care_region"]})
    return out + [Subject(region_key(g), "region", g, g) for g in regions]


BENCH_COLUMNS = {"value": "t.municipality_value", "n": "t.municipality_denominator", "region_value": "t.region_value",
                 "region_n": "t.region_denominator", "all_value": "t.all_value", "all_n": "t.all_denominator",
                 "region_rank": "t.region_rank", "region_municipalities": "t.region_municipalities"}


def _benchmark(con: duckdb.DuckDBPyConnection, code: str, year: int) -> dict[str, dict[int, dict]]:
    """measure -> year -> the municipality's row of region_benchmark (a suppressed row: keys only)."""
    out: dict[str, dict[int, dict]] = {}
    for r in select(con, "region_benchmark AS t", ["municipality_code", "measure", "year"], BENCH_COLUMNS,
                    f"{eq(municipality_code=code)} AND t.year <= {lit(year)}", order="t.year, t.measure"):
        out.setdefault(r["measure"], {})[r["year"]] = r
    return out


def _region_benchmark(con: duckdb.DuckDBPyConnection, region: str, year: int) -> dict[str, dict[int, dict]]:
    """measure -> year -> the region's own values (the same on every member's row)."""
    out: dict[str, dict[int, dict]] = {}
    for r in select(con, "region_benchmark AS t", ["youth_care_region", "measure", "year"],
                    {"value": "any_value(t.region_value)", "n": "any_value(t.region_denominator)",
                     "all_value": "any_value(t.all_value)", "all_n": "any_value(t.all_denominator)"},
                    f"{eq(youth_care_region=region)} AND t.year <= {lit(year)}", order="t.year, t.measure",
                    group=True):
        out.setdefault(r["measure"], {})[r["year"]] = r
    return out


def region_peers(con: duckdb.DuckDBPyConnection, region: str | None, year: int, measure: str) -> list[dict]:
    """Every municipality of the region with its row of `measure` in `year`."""
    return select(con, "region_benchmark AS t", ["municipality_code", "measure", "year"],
                  {"name": "coalesce(t.municipality_name, 'gemeente ' || t.municipality_code)",
                   "value": "t.municipality_value", "n": "t.municipality_denominator"},
                  eq(youth_care_region=region, year=year, measure=measure), order="name, t.municipality_code")


def _group_size(con: duckdb.DuckDBPyConnection, year: int, measure: str) -> dict[str, Any]:
    """How many municipalities the file's 'all municipalities' value covers: the comparison group
    is named for what it is."""
    return scalar(con, f"SELECT count(DISTINCT t.municipality_code) FROM marts.region_benchmark AS t "
                       f"WHERE {eq(year=year, measure=measure)}")


def load_municipality(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    code, year = subject.code, period.year
    m = eq(municipality_code=code, year=year)
    # a product, provider or referrer the reference data do not name keeps its code: the letter says so
    interventions = select(
        con, "interventions AS t", ["municipality_code", "year", "product_code"],
        {"product_category": "t.product_category", "intervention": "t.intervention",
         "nji_recognition": "t.nji_recognition", "evidence_based": "t.evidence_based", "spend_eur": "t.spend_eur",
         "clients": "t.clients", "trajectories_ended": "t.trajectories_ended",
         "ended_as_planned_pct": "t.ended_as_planned_pct"}, m, order="t.spend_eur DESC NULLS LAST, t.product_code")
    categories = select(
        con, "effectiveness_by_municipality_product AS t LEFT JOIN marts.dim_product_category AS c "
             "USING (product_category)", ["municipality_code", "year", "product_category"],
        {"description": "c.product_category_description", "trajectories_ended": "t.trajectories_ended",
         "ended_as_planned_pct": "t.ended_as_planned_pct", "dropout_pct": "t.dropout_pct",
         "no_recurrence_pct": "t.no_recurrence_pct"}, m)
    # one cohort per table: the year's starts, and the year's endings (most of which started earlier)
    by_referrer = "{} AS t LEFT JOIN marts.dim_referrer AS r USING (referrer)"
    referral_starts = select(
        con, by_referrer.format("referral_channel_starts"), ["municipality_code", "year", "referrer"],
        {"description": "r.referrer_description", "trajectories_started": "t.trajectories_started",
         "share_of_starts_pct": "t.share_of_starts_pct", "region_share_of_starts_pct": "t.region_share_of_starts_pct"},
        m, order="r.sort_order NULLS LAST, t.referrer")
    referral_endings = select(
        con, by_referrer.format("referral_channel_endings"), ["municipality_code", "year", "referrer"],
        {"description": "r.referrer_description", "trajectories_ended": "t.trajectories_ended",
         "ended_as_planned_pct": "t.ended_as_planned_pct", "dropout_pct": "t.dropout_pct"},
        m, order="r.sort_order NULLS LAST, t.referrer")
    # a provider's outcomes sit in their own mart, with their own suppression: hidden there is hidden
    # here; no row there is no trajectory that ended
    outcome = "CASE WHEN e.suppressed THEN NULL ELSE {} END"
    providers = select(
        con, "spend_by_municipality_provider_year AS t LEFT JOIN marts.effectiveness_by_provider AS e "
             "USING (municipality_code, year, provider_agb)", ["municipality_code", "year", "provider_agb"],
        {"provider_name": "t.provider_name", "spend_eur": "t.spend_eur",
         "share_of_municipality_spend_pct": "t.share_of_municipality_spend_pct",
         "margin_pct": "t.margin_pct", "margin_above_3pct": "t.margin_above_3pct",
         "rank_in_municipality": "t.rank_in_municipality",
         "trajectories_ended": outcome.format("coalesce(e.trajectories_ended, 0)"),
         "ended_as_planned_pct": outcome.format("e.ended_as_planned_pct"),
         "dropout_pct": outcome.format("e.dropout_pct"),
         "cost_per_planned_end_eur": outcome.format("e.cost_per_planned_end_eur")},
        m, order="t.rank_in_municipality NULLS LAST, t.provider_agb")
    alloc_cols = ("allocations", "allocated_volume_eur", "declared_eur", "declared_over_allocation_eur",
                  "lines_outside_allocation_period", "allocations_without_declarations",
                  "declarations_without_allocation")
    shown_alloc = f"FROM marts.allocation_control AS t WHERE {m} AND NOT t.suppressed"
    return {
        "kind": "municipality", "key": subject.key, "code": code, "name": subject.name, "region": subject.region,
        "period": {"kind": period.kind, "label": period.label, "year": year},
        "benchmark": _benchmark(con, code, year),
        "group_size": _group_size(con, year, "spend_per_youth_eur"),
        "peers": region_peers(con, subject.region, year, "spend_per_youth_eur"),
        "cost_years": select(con, "cost_by_municipality_year AS t", ["municipality_code", "year"],
                             {c: f"t.{c}" for c in ("spend_eur", "clients", "youth_population", "spend_per_youth_eur",
                                                    "spend_per_client_eur", "evidence_based_spend_pct")},
                             f"{eq(municipality_code=code)} AND t.year <= {lit(year)}"),
        "growth": select(con, "spend_growth AS t", ["municipality_code", "year"], {c: f"t.{c}" for c in (
            "spend_eur", "spend_year_before_eur", "spend_change_eur", "client_effect_eur", "per_client_effect_eur",
            "price_effect_eur", "volume_mix_effect_eur", "tariff_change_pct", "clients", "clients_year_before",
            "spend_per_client_eur", "spend_per_client_year_before_eur", "youth_population",
            "youth_population_change")}
            | {"change_pct": "100 * t.spend_change_eur / nullif(t.spend_year_before_eur, 0)",
               "youth_population_change_abs": "abs(t.youth_population_change)"}, m),
        "interventions": interventions,
        # spend on interventions the NJi has not assessed, over the shown interventions, by year
        "not_assessed": select(con, "interventions AS t", ["municipality_code", "year"],
                               {"spend_eur": "sum(t.spend_eur) FILTER (WHERE t.nji_recognition = 'niet beoordeeld' "
                                             "OR t.nji_recognition IS NULL)",
                                "shown_spend_eur": "sum(t.spend_eur)"},
                               f"{eq(municipality_code=code)} AND t.year <= {lit(year)} AND NOT t.suppressed",
                               group=True),
        "categories": categories,
        "referral_starts": referral_starts,
        "referral_endings": referral_endings,
        "duration": _duration(con, subject.region),
        "landscape": select(con, "provider_landscape AS t", ["municipality_code", "year"],
                            {c: f"t.{c}" for c in ("providers", "hhi", "hhi_band", "top5_share_pct",
                                                   "top5_share_band")}, m),
        "providers": providers,
        "funnel": funnel(con, "municipality", code, year),
        # annual accounts are public: a margin above 3 % is shown even beside a hidden provider
        "margins_above_3": select(con, "spend_by_municipality_provider_year AS t",
                                  ["municipality_code", "year", "provider_agb"],
                                  {"provider_name": "t.provider_name", "margin_pct": "t.margin_pct"},
                                  f"{m} AND t.margin_above_3pct", order="t.margin_pct DESC, t.provider_agb",
                                  suppressed=False),
        "providers_above_3": scalar(con, f"SELECT count(*) FROM marts.spend_by_municipality_provider_year AS t "
                                         f"WHERE {m} AND t.margin_above_3pct"),
        "provider_rows": scalar(con, f"SELECT count(*) FROM marts.spend_by_municipality_provider_year AS t "
                                     f"WHERE {m}"),
        "allocation": {
            "rows": scalar(con, f"SELECT count(*) FROM marts.allocation_control AS t WHERE {m}"),
            "shown": scalar(con, f"SELECT count(*) {shown_alloc}"),
            # a total over the shown providers, or nothing when one of them has the column empty
            "totals": {c: scalar(con, f"SELECT CASE WHEN count(*) = count(t.{c}) THEN sum(t.{c}) END {shown_alloc}")
                       for c in alloc_cols},
            "empty": {c: scalar(con, f"SELECT count(*) - count(t.{c}) {shown_alloc}") for c in alloc_cols},
        },
        "not_shown": select(con, "spend_not_shown AS t", ["table_name", "municipality_code", "year"],
                            {c: f"t.{c}" for c in ("spend_eur", "spend_shown_eur", "spend_not_shown_eur",
                                                   "rows_not_shown")}, m, suppressed=False),
        "months": _months(con, code, period),
    }


def _duration(con: duckdb.DuckDBPyConnection, region: str | None) -> dict[str, list[dict]]:
    """Share ended as planned by duration band, pooled over every year: the region's table summed over
    its years (only its shown rows; a category with any hidden row is marked so and not used), and
    the national table beside it, which is pooled already."""
    category = "LEFT JOIN marts.dim_product_category AS c USING (product_category)"
    pooled = select(
        con, f"duration_effect_by_region AS t {category}", ["youth_care_region", "product_category", "duration_band"],
        {"description": "any_value(c.product_category_description)", "band_order": "any_value(t.duration_band_order)",
         "n": "sum(t.trajectories_ended) FILTER (WHERE NOT t.suppressed)",
         "ended_as_planned_pct": "100.0 * sum(t.ended_as_planned) FILTER (WHERE NOT t.suppressed) / "
                                 "nullif(sum(t.trajectories_ended) FILTER (WHERE NOT t.suppressed), 0)",
         "hidden_rows": "count(*) FILTER (WHERE t.suppressed)"},
        eq(youth_care_region=region), group=True)
    national = select(con, f"duration_effect AS t {category}", ["product_category", "duration_band"],
                      {"description": "c.product_category_description", "band_order": "t.duration_band_order",
                       "n": "t.trajectories_ended", "ended_as_planned_pct": "t.ended_as_planned_pct"}, "true")
    return {"region": pooled, "national": national}


def _months(con: duckdb.DuckDBPyConnection, code: str | None, period: ReportPeriod) -> list[dict]:
    """The period's months, for a quarter report (a year report keeps to the yearly tables)."""
    if period.quarter is None:
        return []
    return select(con, "cost_trends_by_municipality AS t", ["municipality_code", "month"],
                  {"spend_eur": "t.spend_eur", "clients": "t.clients"},
                  f"{eq(municipality_code=code)} AND t.month BETWEEN {lit(period.first_day)} AND "
                  f"{lit(period.last_day)}")


def funnel(con: duckdb.DuckDBPyConnection, area_level: str, area_code: str | None, year: int) -> dict[str, Any]:
    """The points of the providers that worked in a municipality or region (`area_level`), for the
    funnel plot, each over all municipalities in the file (one area's cell of a provider is mostly
    too small to show; its point over all municipalities is not, and only that level pools years):
    three years pooled up to `year` when the file has them (three years of endings move less by
    chance than one), else `year` alone. Beside the points, the case-mix model's factors, and each
    outcome's overdispersion of that period (the same on every row of it, and shown even on a hidden
    row): the funnel's curves are drawn from it and each point's precision (its expected number and
    trajectories), so they are the published limits."""
    pooled = f"{year - 2}-{year}"
    has_pooled = scalar(con, "SELECT count(*) FROM marts.provider_adjusted_outcomes AS t "
                             f"WHERE {eq(area_level='all', period=pooled)}")
    period = pooled if has_pooled["value"] else str(year)
    first = year - 2 if period == pooled else year
    members = (lit(area_code) if area_level == "municipality" else "SELECT g.municipality_code FROM "
               f"marts.dim_municipality AS g WHERE g.youth_care_region = {lit(area_code)}")
    # the providers that worked in the area in the period, each at its point over all municipalities
    where = (f"{eq(area_level='all', period=period)} AND t.provider_agb IN (SELECT m.provider_agb FROM "
             "marts.provider_adjusted_outcomes AS m WHERE m.area_level = 'municipality' "
             f"AND m.area_code IN ({members}) AND m.last_year BETWEEN {first} AND {year})")
    exprs = {"provider_name": "t.provider_name", "trajectories_ended": "t.trajectories_ended"}
    for prefix, (observed, expected) in FUNNEL_OUTCOMES.items():
        exprs |= {f"{prefix}_observed": f"t.{observed}", f"{prefix}_expected": f"t.{expected}",
                  **{f"{prefix}_{c}": f"t.{prefix}_{c}" for c in ("ratio", "lower_998", "lower_95", "upper_95",
                                                                 "upper_998", "signal")}}
    mart = "provider_adjusted_outcomes AS t"
    overdispersion = {prefix: scalar(con, f"SELECT any_value(t.{prefix}_overdispersion) FROM marts.{mart} "
                                          f"WHERE {eq(period=period)}") for prefix in FUNNEL_OUTCOMES}
    # what the comparison corrects for, as the published model says: the letter names exactly that
    factors = [r["factor"] for r in rows(con, "SELECT DISTINCT t.factor FROM marts.case_mix_model AS t "
                                              "WHERE t.factor <> 'intercept' ORDER BY t.factor")]
    return {"period": period, "pooled": period == pooled, "area_level": area_level, "factors": factors,
            "rows": select(con, mart, ["provider_agb", "area_level", "area_code", "period"], exprs, where,
                           order="t.provider_name, t.provider_agb"),
            "overdispersion": overdispersion}


def load_region(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    region, year = subject.name, period.year
    members = rows(con, f"SELECT DISTINCT t.municipality_code AS code, coalesce(t.municipality_name, 'gemeente ' "
                        f"|| t.municipality_code) AS name FROM marts.cost_by_municipality_year AS t "
                        f"WHERE {eq(youth_care_region=region)} ORDER BY name")
    return {
        "kind": "region", "key": subject.key, "name": region, "region": region,
        "period": {"kind": period.kind, "label": period.label, "year": year},
        "members": members,
        "benchmark": _region_benchmark(con, region, year),
        "group_size": _group_size(con, year, "spend_per_youth_eur"),
        "table": {m: region_peers(con, region, year, m) for (m,) in con.execute(
            "SELECT measure FROM marts.dim_measure WHERE list_contains(?, measure_group) ORDER BY sort_order",
            [list(PEER_GROUPS)]).fetchall()},
        "youth": select(con, "spend_growth AS t", ["municipality_code", "year"],
                        {"youth_population": "t.youth_population",
                         "youth_population_change": "t.youth_population_change"},
                        f"t.municipality_code IN (SELECT g.municipality_code FROM marts.cost_by_municipality_year "
                        f"AS g WHERE g.youth_care_region = {lit(region)}) AND {eq(year=year)}"),
        # the region's change in young people, only when every member's change is shown
        "youth_total": _youth_change(con, region, year, "sum"),
        "youth_total_abs": _youth_change(con, region, year, "abs"),
        "history": _region_history(con, region, year),
        "landscape": select(con, "provider_landscape AS t", ["municipality_code", "year"],
                            {"name": "coalesce(t.municipality_name, 'gemeente ' || t.municipality_code)",
                             **{c: f"t.{c}" for c in ("providers", "hhi", "hhi_band", "top5_share_pct",
                                                      "top5_share_band")}},
                            eq(youth_care_region=region, year=year), order="name"),
        "referral": select(con, "referral_channel_starts AS t LEFT JOIN marts.dim_referrer AS r USING (referrer)",
                           ["youth_care_region", "year", "referrer"],
                           {"description": "any_value(r.referrer_description)",
                            "region_share_of_starts_pct": "max(t.region_share_of_starts_pct)"},
                           eq(youth_care_region=region, year=year), group=True, order="t.referrer"),
        "duration": _duration(con, region),
        "funnel": funnel(con, "region", region, year),
        "not_shown": select(con, "spend_not_shown AS t JOIN marts.dim_municipality AS g USING (municipality_code)",
                            ["table_name", "year"],
                            {"spend_not_shown_eur": "sum(t.spend_not_shown_eur)",
                             "rows_not_shown": "sum(t.rows_not_shown)"},
                            f"g.youth_care_region = {lit(region)} AND {eq(year=year)}", group=True),
    }


# the monthly letter's measures: mart, column, and how the column adds up over a region's members
MONTH_MEASURES = (("cost_trends_by_municipality", "spend_eur"), ("cost_trends_by_municipality", "clients"),
                  ("trajectory_flows", "started"), ("trajectory_flows", "ended"), ("trajectory_flows", "running"),
                  ("trajectory_flows", "running_over_12m"), ("trajectory_flows", "running_without_outcome_over_12m"))


def load_month(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    """The monthly letter (Almere's 'what went well, what went wrong'): each measure in the month and
    in the same month a year before, summed over the subject's municipalities (one, or a region's),
    hidden when any of them is hidden; the change between the two by its own query; what the
    latest ingestion quarantined; and the WARN checks that did not pass when the file was published."""
    members = (eq(municipality_code=subject.code) if subject.kind == "municipality"
               else eq(youth_care_region=subject.name))
    month, before = period.first_day, period.first_day.replace(year=period.year - 1)
    measures: dict[str, dict[str, Any]] = {}
    for table, column in MONTH_MEASURES:
        expr = f"CASE WHEN bool_or(t.suppressed) THEN NULL ELSE sum(t.{column}) END"

        def at(day: date, table: str = table, expr: str = expr) -> str:
            return f"SELECT {expr} FROM marts.{table} AS t WHERE {members} AND t.month = {lit(day)}"

        measures[column] = {
            "now": scalar(con, at(month)), "before": scalar(con, at(before)),
            "change_pct": scalar(con, f"SELECT 100.0 * (({at(month)}) - ({at(before)})) / nullif(({at(before)}), 0)"),
        }
    latest = "(SELECT max(q.ingested_month) FROM marts.data_quality_summary AS q)"
    return {
        "kind": subject.kind, "key": subject.key, "code": subject.code, "name": subject.name, "region": subject.region,
        "period": {"kind": period.kind, "label": period.label, "year": period.year, "month": period.month},
        "measures": measures,
        "ingestion": select(con, "data_quality_summary AS t", ["kind", "status", "ingested_month"],
                            {c: f"t.{c}" for c in ("files", "rows_read", "rows_quarantined")},
                            f"t.ingested_month = {latest}", suppressed=False),
        "warnings": {
            "checks": scalar(con, "SELECT count(*) FROM marts.quality_warnings AS t"),
            "failing": scalar(con, "SELECT count(*) FROM marts.quality_warnings AS t WHERE NOT t.passed"),
            "never_run": scalar(con, "SELECT count(*) FROM marts.quality_warnings AS t WHERE t.passed IS NULL"),
            "norms": [r for (r,) in con.execute("SELECT t.norm FROM marts.quality_warnings AS t WHERE NOT t.passed "
                                                  "ORDER BY t.asset, t.check_name").fetchall()],
        },
    }


def _region_totals(region: str, year: int | None = None) -> tuple[str, dict[str, str]]:
    """The predicate and the expressions of a region's yearly totals in cost_by_municipality_year.
    A total is empty unless every member of the region has the value that year: a sum over a hidden
    cell would reveal it, and one without a member (its data start later, its population is not
    known) would be a total of less than the region. `hidden` and `complete` say which it was."""
    members = ("(SELECT count(DISTINCT g.municipality_code) FROM marts.cost_by_municipality_year AS g "
               f"WHERE g.youth_care_region = {lit(region)})")

    def whole(column: str) -> str:
        return (f"CASE WHEN count(*) = count(t.{column}) AND count(DISTINCT t.municipality_code) = {members} "
                f"THEN sum(t.{column}) END")

    exprs = {"spend_eur": whole("spend_eur"), "youth_population": whole("youth_population"),
             "spend_per_youth_eur": f"({whole('spend_eur')}) / nullif(({whole('youth_population')}), 0)",
             "hidden": "bool_or(t.suppressed)", "complete": f"count(DISTINCT t.municipality_code) = {members}"}
    return eq(youth_care_region=region) + ("" if year is None else f" AND {eq(year=year)}"), exprs


def _region_history(con: duckdb.DuckDBPyConnection, region: str, year: int) -> dict[str, Any]:
    """The Twente audit's point over the years: the region's spend against its young people, every
    year up to the letter's, with the change from the first to the letter's year by its own query."""
    where, exprs = _region_totals(region)
    years = select(con, "cost_by_municipality_year AS t", ["year"], exprs, f"{where} AND t.year <= {year}",
                   group=True)
    if not years:
        return {"years": [], "first": None}
    first = years[0]["year"]

    def change(column: str) -> dict[str, Any]:
        def total(y: int) -> str:
            w, e = _region_totals(region, y)
            return f"SELECT {e[column]} FROM marts.cost_by_municipality_year AS t WHERE {w}"
        return scalar(con, f"SELECT 100.0 * (({total(year)}) - ({total(first)})) / nullif(({total(first)}), 0)")

    return {"years": years, "first": first,
            "change": {c: change(c) for c in ("spend_eur", "youth_population", "spend_per_youth_eur")}}


def _youth_change(con: duckdb.DuckDBPyConnection, region: str, year: int, how: str) -> dict[str, Any]:
    """The summed change in young people of the region's municipalities ('abs': its size, as the
    letter prints it beside 'daalde' or 'steeg')."""
    total = "sum(t.youth_population_change)"
    return scalar(con, f"SELECT CASE WHEN count(*) = count(t.youth_population_change) THEN "
                       f"{total if how == 'sum' else f'abs({total})'} END FROM marts.spend_growth AS t "
                       f"WHERE t.municipality_code IN (SELECT g.municipality_code FROM marts.cost_by_municipality_year "
                       f"AS g WHERE g.youth_care_region = {lit(region)}) AND {eq(year=year)} AND NOT t.suppressed")


def load(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod, about_row: dict) -> dict[str, Any]:
    if period.kind == "month":
        data = load_month(con, subject, period)
    else:
        data = (load_municipality if subject.kind == "municipality" else load_region)(con, subject, period)
    data["about"] = dict(about_row)
    data["period"]["last_day"] = period.last_day.isoformat()
    return data


def fingerprint(data: dict[str, Any], code_version: str) -> str:
    """SHA-256 of what the report shows and of the code that lays it out."""
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False) + "\n" + code_version
    return hashlib.sha256(blob.encode()).hexdigest()
