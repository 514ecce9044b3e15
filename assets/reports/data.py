"""What a report says, read from the published file only (`warehouse/jeugdzorg.duckdb`, schema
`marts`), never from the pipeline's working file: a report can show nothing the file hides.

Every query a letter runs is a file of its own in `queries/` (`<name>.sql`, parameters written
`$name`), so the SQL that names a mart lives in SQL, and a search for a mart finds the queries that
read it. A query is run exactly as the figure list records it: its parameters are written into
its text as literals, so a traced query runs as written, without parameters.

Every value carries where it came from, so the letter can list, for each figure it prints, a SQL
query that returns that figure from the published file alone (the figure list beside the PDF):
- a row loaded by `select` holds `_src`: the query it came from (aliased t) and the predicate on
  the query's key (its `-- key:` line) that picks exactly this row, so `trace_sql(row, column)`
  writes the query of one value;
- a figure the letter does not read from a row of a table (a total, a count) comes from `scalar`
  or `scalars`: its value and the query that returns it, run here and written down as it ran.

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
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from assets.reports.period import ReportPeriod, municipality_key, region_key

QUERIES = Path(__file__).parent / "queries"
_PARAMETER = re.compile(r"\$([a-z_]+)")
_COMMENT = re.compile(r"--.*$")


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


@cache
def _query_file(name: str) -> tuple[str, tuple[str, ...]]:
    """A query's text on one line (comments dropped: it goes into the figure list) and its key, the
    columns its `-- key:` line names: together they pick one row."""
    text = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    key = next((line.split(":", 1)[1] for line in text.splitlines() if line.startswith("-- key:")), "")
    body = " ".join(stripped for line in text.splitlines() if (stripped := _COMMENT.sub("", line).strip()))
    return body, tuple(k.strip() for k in key.split(",") if k.strip())


def query(name: str, **params: Any) -> str:
    """The text of queries/<name>.sql with each `$parameter` written in as a literal."""
    body, _key = _query_file(name)
    return _PARAMETER.sub(lambda m: lit(params[m.group(1)]), body)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [{n: _clean(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def eq(alias: str = "t", **columns: Any) -> str:
    """`t.a = 'x' AND t.b = 2`: the predicate of a traced query."""
    return " AND ".join(f"{alias}.{k} IS NULL" if v is None else f"{alias}.{k} = {lit(v)}"
                        for k, v in columns.items()) or "true"


def select(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of queries/<name>.sql, one dict each with its provenance. The query returns its key
    columns, its values and `suppressed` (false where nothing is hidden, as on a sum over the shown
    rows): a suppressed row keeps its key and loses its values."""
    sql = query(name, **params)
    _body, key = _query_file(name)
    out = []
    for r in rows(con, sql):
        if r["suppressed"]:
            r = {c: (v if c in key or c == "suppressed" else None) for c, v in r.items()}
        r["_src"] = {"from": f"({sql}) AS t", "base": "true", "where": eq(**{k: r[k] for k in key})}
        out.append(r)
    return out


def trace_sql(row: dict[str, Any], column: str) -> str:
    """The query that returns `row[column]` from the published file (empty on a suppressed row)."""
    src = row["_src"]
    return f"SELECT CASE WHEN t.suppressed THEN NULL ELSE t.{column} END FROM {src['from']} WHERE {src['where']}"


def count_sql(row: dict[str, Any], condition: str) -> str:
    """The query that counts the rows of `row`'s query (aliased t) that meet `condition`."""
    src = row["_src"]
    return f"SELECT count(*) FROM {src['from']} WHERE {src['base']} AND ({condition})"


def scalar(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> dict[str, Any]:
    """The value of a one-value query and the query itself (as a dict: it goes into the fingerprint)."""
    sql = query(name, **params)
    (value,) = con.execute(sql).fetchone() or (None,)
    return {"value": _clean(value), "sql": sql}


def scalars(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> dict[str, dict[str, Any]]:
    """Each column of a one-row query as a figure of its own: its value, and the query that returns
    just that column."""
    sql = query(name, **params)
    (row,) = rows(con, sql)
    return {c: {"value": v, "sql": f"SELECT t.{c} FROM ({sql}) AS t"} for c, v in row.items()}


def change(con: duckdb.DuckDBPyConnection, name: str, column: str, now: dict[str, Any], first: dict[str, Any],
           **params: Any) -> dict[str, Any]:
    """The change of `column` between two rows of queries/<name>.sql (each picked by its key's values:
    `now`, `first`), in % of the first, by its own query: empty when either row or value is."""
    sql = query(name, **params)
    traced = (f"SELECT 100.0 * (n.{column} - b.{column}) / nullif(b.{column}, 0) FROM ({sql}) AS n, ({sql}) AS b "
              f"WHERE {eq('n', **now)} AND {eq('b', **first)}")
    (value,) = con.execute(traced).fetchone() or (None,)
    return {"value": _clean(value), "sql": traced}


def connect(published_db: Path) -> duckdb.DuckDBPyConnection:
    if not published_db.exists():
        raise FileNotFoundError(f"no published file at {published_db}: run the refresh first (make run)")
    return duckdb.connect(str(published_db), read_only=True)


def publication(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The publication's one row (queries/publication.sql), with its provenance: the letter prints
    k, the file counts and the publication it cites from it."""
    (r,) = select(con, "publication")
    return r


def subjects(con: duckdb.DuckDBPyConnection) -> list[Subject]:
    """Every municipality with declarations in the file, and every region that holds one. A
    municipality the reference list does not name is called by its CBS code."""
    found = rows(con, query("subjects"))
    named = [(r, r["municipality_name"] or f"gemeente {r['municipality_code']}") for r in found]
    out = [Subject(municipality_key(r["municipality_code"], name), "municipality", name, r["youth_care_region"],
                   r["municipality_code"]) for r, name in named]
    regions = sorted({r["youth_care_region"] for r in found if r["youth_care_region"]})
    return out + [Subject(region_key(g), "region", g, g) for g in regions]


def measures(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """measure -> how the letters name and print it, and its family (queries/measures.sql), in its
    order."""
    return {r["measure"]: r for r in rows(con, query("measures"))}


def table_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """table_name -> how the letters name a breakdown of spend ('per maand'), from its YAML's
    meta.breakdown_label (queries/spend_breakdowns.sql)."""
    return {r["table_name"]: r["breakdown_label"] for r in rows(con, query("spend_breakdowns"))}


def duration_bands(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The duration bands that are a length of care, in their order, with the letters' words for them."""
    return rows(con, query("duration_bands"))


def _by_measure(found: list[dict]) -> dict[str, dict[int, dict]]:
    """measure -> year -> row."""
    out: dict[str, dict[int, dict]] = {}
    for r in found:
        out.setdefault(r["measure"], {})[r["year"]] = r
    return out


def region_peers(con: duckdb.DuckDBPyConnection, region: str | None, year: int,
                 measure_names: list[str]) -> dict[str, list[dict]]:
    """measure -> every municipality of the region with its row of the measure in `year` (every
    measure has a list, an empty one where the region has no row)."""
    out: dict[str, list[dict]] = {m: [] for m in measure_names}
    for r in select(con, "region_peers", region=region, year=year):
        out.setdefault(r["measure"], []).append(r)
    return out


def load_municipality(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    code, year = subject.code, period.year
    m = {"code": code, "year": year}
    allocation = scalars(con, "allocation", **m)
    counts = scalars(con, "provider_counts", **m)
    return {
        "kind": "municipality", "key": subject.key, "code": code, "name": subject.name, "region": subject.region,
        "period": {"kind": period.kind, "label": period.label, "year": year},
        "measures": measures(con),
        "benchmark": _by_measure(select(con, "benchmark", **m)),
        "group_size": scalar(con, "group_size", year=year),
        "peers": region_peers(con, subject.region, year, ["spend_per_youth_eur"])["spend_per_youth_eur"],
        "cost_years": select(con, "cost_years", **m),
        "growth": select(con, "growth", **m),
        "by_intervention": select(con, "municipality_interventions", **m),
        "not_assessed": select(con, "not_assessed", **m),
        "categories": select(con, "categories", **m),
        "referral_starts": select(con, "referral_starts", **m),
        "referral_endings": select(con, "referral_endings", **m),
        "duration": _duration(con, subject.region),
        "landscape": select(con, "landscape", **m),
        "providers": select(con, "providers", **m),
        "funnel": funnel(con, "municipality", code, year),
        "margins_above_3": select(con, "margins_above_3", **m),
        "providers_above_3": counts["providers_above_3"],
        "provider_rows": counts["provider_rows"],
        "allocation": {
            "rows": allocation["rows_all"], "shown": allocation["rows_shown"],
            "totals": {c.removeprefix("total_"): v for c, v in allocation.items() if c.startswith("total_")},
            "empty": {c.removeprefix("empty_"): v for c, v in allocation.items() if c.startswith("empty_")},
        },
        "not_shown": select(con, "not_shown", **m),
        "table_labels": table_labels(con),
        "months": ([] if period.quarter is None else
                   select(con, "months", code=code, first_day=period.first_day, last_day=period.last_day)),
    }


def _duration(con: duckdb.DuckDBPyConnection, region: str | None) -> dict[str, Any]:
    """Share ended as planned by duration band, pooled over every year: the region's table summed over
    its years, and the national table beside it, which is pooled already."""
    return {"bands": duration_bands(con), "region": select(con, "duration_region", region=region),
            "national": select(con, "duration_national")}


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
    period = pooled if scalar(con, "funnel_pooled", pooled=pooled)["value"] else str(year)
    first = year - 2 if period == pooled else year
    return {"period": period, "pooled": period == pooled, "area_level": area_level,
            "factors": [r["factor"] for r in rows(con, query("case_mix_factors"))],
            "rows": select(con, "funnel", period=period, kind=area_level, area=area_code, first=first, year=year),
            "overdispersion": scalars(con, "funnel_overdispersion", period=period)}


def load_region(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    region, year = subject.name, period.year
    youth = scalars(con, "youth_change", region=region, year=year)
    found = measures(con)
    return {
        "kind": "region", "key": subject.key, "name": region, "region": region,
        "period": {"kind": period.kind, "label": period.label, "year": year},
        "measures": found,
        "members": rows(con, query("region_members", region=region)),
        "benchmark": _by_measure(select(con, "region_values", region=region, year=year)),
        "group_size": scalar(con, "group_size", year=year),
        "table": region_peers(con, region, year, list(found)),
        "youth": select(con, "region_youth", region=region, year=year),
        # the region's change in young people, only when every member's change is shown
        "youth_total": youth["youth_total"],
        "youth_total_abs": youth["youth_total_abs"],
        "history": _region_history(con, region, year),
        "landscape": select(con, "region_landscape", region=region, year=year),
        "referral": select(con, "region_referral", region=region, year=year),
        "duration": _duration(con, region),
        "funnel": funnel(con, "region", region, year),
        "not_shown": select(con, "region_not_shown", region=region, year=year),
        "table_labels": table_labels(con),
    }


def load_month(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod) -> dict[str, Any]:
    """The monthly letter (Almere's 'what went well, what went wrong'): each measure in the month and
    in the same month a year before, summed over the subject's municipalities (one, or a region's),
    hidden when any of them is hidden; the change between the two by its own query; what the
    latest ingestion quarantined; and the WARN checks that did not pass when the file was published."""
    month = period.first_day
    found = scalars(con, "month_measures", code=subject.code if subject.kind == "municipality" else None,
                    region=subject.name if subject.kind == "region" else None, month=month,
                    before=month.replace(year=period.year - 1))
    measures_: dict[str, dict[str, Any]] = {}
    for column, figure in found.items():
        # the words and format of a measure are text, not a figure the letter traces
        measure, what = re.fullmatch(r"(.+)_(letter_label|letter_subject|letter_format|now|before|change_pct)",
                                     column).groups()
        measures_.setdefault(measure, {})[what] = figure["value"] if what.startswith("letter_") else figure
    warnings = scalars(con, "warnings")
    return {
        "kind": subject.kind, "key": subject.key, "code": subject.code, "name": subject.name, "region": subject.region,
        "period": {"kind": period.kind, "label": period.label, "year": period.year, "month": period.month},
        "measures": measures_,
        "ingestion": select(con, "ingestion"),
        "warnings": {**warnings, "norms": [r["norm"] for r in rows(con, query("warning_norms"))]},
    }


def _region_history(con: duckdb.DuckDBPyConnection, region: str, year: int) -> dict[str, Any]:
    """The Twente audit's point over the years: the region's spend against its young people, every
    year up to the letter's, with the change from the first to the letter's year by its own query."""
    years = select(con, "region_history", region=region, year=year)
    if not years:
        return {"years": [], "first": None}
    first = years[0]["year"]
    return {"years": years, "first": first,
            "change": {c: change(con, "region_history", c, {"year": year}, {"year": first}, region=region, year=year)
                       for c in ("spend_eur", "youth_population", "spend_per_youth_eur")}}


def load(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod, about_row: dict) -> dict[str, Any]:
    if period.kind == "month":
        data = load_month(con, subject, period)
    else:
        data = (load_municipality if subject.kind == "municipality" else load_region)(con, subject, period)
    data["publication"] = dict(about_row)
    data["period"]["last_day"] = period.last_day.isoformat()
    return data


def fingerprint(data: dict[str, Any], code_version: str) -> str:
    """SHA-256 of what the report shows and of the code that lays it out."""
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False) + "\n" + code_version
    return hashlib.sha256(blob.encode()).hexdigest()
