"""Council reports (assets/reports/): rendered from a small published file built here by hand, with
suppressed rows that still carry distinctive numbers, so a leak would show in the PDF's text."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import jinja2
import pypdf
import pytest
import yaml
from dagster._core.system_config.objects import ResolvedRunConfig

from assets.reports import charts, data, municipality, render
from assets.reports.council_reports import council_report_partitions, council_reports
from assets.reports.formatting import FORMATS, euro, number, pct
from assets.reports.period import ReportPeriod, file_stem, municipality_key, period_for, slug
from foundation.warehouse import Warehouse

DBT = Path(__file__).resolve().parent.parent / "assets" / "dbt"
YEAR = 2025
TWENTE = [("0141", "Almelo", 1960.48, 1478), ("0153", "Enschede", 2303.1, 30000),
          ("0164", "Hengelo (O.)", 1676.2, 15000)]
SMALL = ("0999", "Kleindorp", "Achterhoek")  # a municipality with next to no data: everything suppressed
# values planted in suppressed rows or emptied cells: none of them may reach a report
SECRET_EUR = 87654.32
SECRET_PCT = 96.4
SECRET_COUNT = 4321

TABLES = {
    "about": "data_through DATE, outcome_records_through DATE, min_cell_size INTEGER, files_loaded BIGINT, "
             "files_rejected BIGINT, files_retracted BIGINT, rows_suppressed_small_cells BIGINT, "
             "cells_suppressed_secondary BIGINT",
    "dim_municipality": "municipality_code VARCHAR, municipality_name VARCHAR, youth_care_region VARCHAR",
    "dim_product_category": "product_category VARCHAR, product_category_description VARCHAR",
    "dim_referrer": "referrer VARCHAR, referrer_description VARCHAR, sort_order BIGINT",
    "dim_measure": "measure VARCHAR, measure_group VARCHAR, letter_label VARCHAR, letter_short VARCHAR, "
                   "letter_format VARCHAR, sort_order BIGINT",
    "dim_duration_band": "duration_band VARCHAR, duration_band_order BIGINT, duration_band_label VARCHAR, "
                         "duration_band_short_label VARCHAR, is_length_of_care BOOLEAN",
    "dim_spend_breakdown": "table_name VARCHAR, breakdown_label VARCHAR",
    "cost_by_municipality_year": "municipality_code VARCHAR, municipality_name VARCHAR, youth_care_region VARCHAR, "
                                 "year INTEGER, spend_eur DECIMAL(18,2), clients BIGINT, youth_population BIGINT, "
                                 "spend_per_youth_eur DECIMAL(18,2), spend_per_client_eur DECIMAL(18,2), "
                                 "evidence_based_spend_pct DOUBLE, suppressed BOOLEAN",
    "region_benchmark": "municipality_code VARCHAR, municipality_name VARCHAR, youth_care_region VARCHAR, "
                        "year INTEGER, measure VARCHAR, municipality_value DOUBLE, "
                        "municipality_denominator DECIMAL(18,2), "
                        "region_value DOUBLE, region_denominator DECIMAL(18,2), all_value DOUBLE, "
                        "all_denominator DECIMAL(18,2), region_rank BIGINT, region_municipalities BIGINT, "
                        "suppressed BOOLEAN",
    "spend_growth": "municipality_code VARCHAR, year INTEGER, spend_eur DECIMAL(18,2), "
                    "spend_year_before_eur DECIMAL(18,2), spend_change_eur DECIMAL(18,2), "
                    "client_effect_eur DECIMAL(18,2), per_client_effect_eur DECIMAL(18,2), "
                    "price_effect_eur DECIMAL(18,2), volume_mix_effect_eur DECIMAL(18,2), tariff_change_pct DOUBLE, "
                    "clients BIGINT, clients_year_before BIGINT, spend_per_client_eur DECIMAL(18,2), "
                    "spend_per_client_year_before_eur DECIMAL(18,2), youth_population BIGINT, "
                    "youth_population_change BIGINT, suppressed BOOLEAN",
    "effectiveness_by_municipality": "municipality_code VARCHAR, year INTEGER, trajectories_ended BIGINT, "
                                     "suppressed BOOLEAN",
    "effectiveness_by_municipality_product": "municipality_code VARCHAR, year INTEGER, product_category VARCHAR, "
                                             "trajectories_ended BIGINT, ended_as_planned_pct DOUBLE, "
                                             "dropout_pct DOUBLE, no_recurrence_pct DOUBLE, satisfaction_mean DOUBLE, "
                                             "satisfaction_responses BIGINT, suppressed BOOLEAN",
    "interventions": "municipality_code VARCHAR, year INTEGER, product_code VARCHAR, product_category VARCHAR, "
                     "intervention VARCHAR, nji_recognition VARCHAR, evidence_based BOOLEAN, spend_eur DECIMAL(18,2), "
                     "clients BIGINT, trajectories_ended BIGINT, ended_as_planned_pct DOUBLE, dropout_pct DOUBLE, "
                     "no_recurrence_pct DOUBLE, suppressed BOOLEAN",
    "referral_channel_starts": "municipality_code VARCHAR, youth_care_region VARCHAR, year INTEGER, referrer VARCHAR, "
                               "trajectories_started BIGINT, share_of_starts_pct DOUBLE, "
                               "region_share_of_starts_pct DOUBLE, suppressed BOOLEAN",
    "referral_channel_endings": "municipality_code VARCHAR, year INTEGER, referrer VARCHAR, trajectories_ended BIGINT, "
                                "ended_as_planned_pct DOUBLE, dropout_pct DOUBLE, suppressed BOOLEAN",
    "spend_by_municipality_provider_year": "municipality_code VARCHAR, year INTEGER, provider_agb VARCHAR, "
                                           "provider_name VARCHAR, "
                                           "spend_eur DECIMAL(18,2), share_of_municipality_spend_pct DOUBLE, "
                                           "margin_pct DOUBLE, margin_above_3pct BOOLEAN, "
                                           "rank_in_municipality BIGINT, suppressed BOOLEAN",
    "allocation_control": "municipality_code VARCHAR, provider_agb VARCHAR, year INTEGER, allocations BIGINT, "
                          "allocated_volume_eur DECIMAL(18,2), declared_eur DECIMAL(18,2), "
                          "declared_over_allocation_eur DECIMAL(18,2), lines_outside_allocation_period BIGINT, "
                          "allocations_without_declarations BIGINT, declarations_without_allocation BIGINT, "
                          "suppressed BOOLEAN",
    "provider_landscape": "municipality_code VARCHAR, municipality_name VARCHAR, youth_care_region VARCHAR, "
                          "year INTEGER, providers BIGINT, hhi INTEGER, hhi_band VARCHAR, top5_share_pct DOUBLE, "
                          "top5_share_band VARCHAR, suppressed BOOLEAN",
    "duration_effect_by_region": "youth_care_region VARCHAR, year INTEGER, product_category VARCHAR, "
                                 "duration_band VARCHAR, duration_band_order BIGINT, trajectories_ended BIGINT, "
                                 "ended_as_planned BIGINT, ended_as_planned_pct DOUBLE, no_recurrence_pct DOUBLE, "
                                 "cost_per_trajectory_eur DECIMAL(18,2), suppressed BOOLEAN",
    "duration_effect": "product_category VARCHAR, duration_band VARCHAR, duration_band_order BIGINT, "
                       "trajectories_ended BIGINT, ended_as_planned BIGINT, ended_as_planned_pct DOUBLE, "
                       "suppressed BOOLEAN",
    "effectiveness_by_provider": "municipality_code VARCHAR, year INTEGER, provider_agb VARCHAR, "
                                 "trajectories_ended BIGINT, ended_as_planned_pct DOUBLE, dropout_pct DOUBLE, "
                                 "cost_per_planned_end_eur DECIMAL(18,2), suppressed BOOLEAN",
    "spend_not_shown": "table_name VARCHAR, municipality_code VARCHAR, year INTEGER, spend_eur DECIMAL(18,2), "
                       "spend_shown_eur DECIMAL(18,2), spend_not_shown_eur DECIMAL(18,2), rows_shown BIGINT, "
                       "rows_not_shown BIGINT",
    "cost_trends_by_municipality": "municipality_code VARCHAR, youth_care_region VARCHAR, month DATE, "
                                   "spend_eur DECIMAL(18,2), clients BIGINT, suppressed BOOLEAN",
    "trajectory_flows": "municipality_code VARCHAR, youth_care_region VARCHAR, month DATE, started BIGINT, "
                        "ended BIGINT, running BIGINT, running_over_12m BIGINT, "
                        "running_without_outcome_over_12m BIGINT, suppressed BOOLEAN",
    "data_quality_summary": "kind VARCHAR, status VARCHAR, ingested_month DATE, files BIGINT, rows_read BIGINT, "
                            "rows_quarantined BIGINT",
    "quality_warnings": "check_name VARCHAR, asset VARCHAR, norm VARCHAR, passed BOOLEAN, evaluated_at TIMESTAMP, "
                        "run_id VARCHAR",
    "provider_adjusted_outcomes": "provider_agb VARCHAR, provider_name VARCHAR, area_level VARCHAR, "
                                  "area_code VARCHAR, area_name VARCHAR, period VARCHAR, first_year INTEGER, "
                                  "last_year INTEGER, trajectories_ended BIGINT, "
                                  + "".join(f"{o} BIGINT, {e} DOUBLE, " + "".join(
                                      f"{x}_{c} DOUBLE, " for c in ("ratio", "adjusted_pct", "lower_998", "lower_95",
                                                                     "upper_95", "upper_998"))
                                      + f"{x}_signal VARCHAR, {x}_reference_pct DOUBLE, {x}_overdispersion DOUBLE, "
                                      for x, o, e in (("planned", "ended_as_planned", "expected_planned"),
                                                      ("dropout", "dropouts", "expected_dropouts")))
                                  + "suppressed BOOLEAN",
    "case_mix_model": "outcome VARCHAR, factor VARCHAR, level VARCHAR, coefficient DOUBLE",
}
# the funnel's reference rate (%) and overdispersion per outcome, as provider_adjusted_outcomes has them
FUNNEL_REFERENCE = {"dropout": (15.0, 1.8), "planned": (65.0, 1.0)}
# provider -> name, and per area: trajectories ended, (observed, expected) dropouts and planned endings
# (None: a suppressed cell). 33333333 has far more dropout than its children predict, 44444444 far less;
# Opvoedhuis Eik 37 is hidden in each municipality but shown over the region.
FUNNEL_PROVIDERS = {"11111111": "Kinderpraktijk Sterk 4", "22222222": "Opvoedhuis Eik 37",
                    "33333333": "Jeugdhulp Noord 12", "44444444": "Gezinshuis Linde", "55555555": "Ambulant Oost"}
FUNNEL_CELLS = {
    "municipality": {"11111111": (120, (19, 17.5), (80, 76.2)), "22222222": None,
                     "33333333": (200, (60, 30.0), (100, 130.0)), "44444444": (150, (8, 24.0), (101, 96.3)),
                     "55555555": (60, (9, 9.5), (40, 38.1))},
    "all": {"11111111": (900, (140, 131.0), (600, 575.3)), "22222222": (200, (32, 30.5), (125, 132.3)),
            "33333333": (1500, (420, 227.5), (775, 980.0)), "44444444": (1100, (125, 175.8), (750, 727.0)),
            "55555555": (450, (68, 70.3), (295, 289.0))},
}
# the areas of each level; only all municipalities together pool three years (as the mart does)
FUNNEL_AREAS = {"municipality": [c for c, _n, _v, _p in TWENTE], "all": ["all"]}


def dbt_macro_value(file: str, macro: str) -> Any:
    """What a dbt macro of assets/dbt/macros/ that only returns a value (a list of measures, of bands)
    returns, rendered with plain Jinja as dbt renders it: the fixture's dimensions hold exactly the
    project's declaration."""
    returned: list[Any] = []
    template = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(
        (DBT / "macros" / file).read_text(encoding="utf-8") + "{{ " + macro + "() }}")
    template.render(**{"return": returned.append})
    return returned[0]


def breakdown_labels() -> dict[str, str]:
    """mart -> its YAML's meta.breakdown_label (what dim_spend_breakdown publishes)."""
    found = {}
    for path in (DBT / "models" / "marts").glob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models") or []:
            if (model.get("meta") or {}).get("breakdown_label"):
                found[model["name"]] = model["meta"]["breakdown_label"]
    return found


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    for r in rows:
        cols = ", ".join(r)
        con.execute(f"INSERT INTO marts.{table} ({cols}) VALUES ({', '.join('?' * len(r))})", list(r.values()))


def build_published(path: Path) -> Path:
    """A published file with Twente (three municipalities) and Kleindorp, whose every row is suppressed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    for name, cols in TABLES.items():
        con.execute(f"CREATE TABLE marts.{name} ({cols})")
    _insert(con, "about", [dict(data_through=date(YEAR, 12, 31), outcome_records_through=date(YEAR, 12, 31),
                                min_cell_size=10, files_loaded=120, files_rejected=1, files_retracted=0,
                                rows_suppressed_small_cells=40, cells_suppressed_secondary=7)])
    _insert(con, "dim_product_category", [
        dict(product_category="45", product_category_description="Jeugdhulp ambulant"),
        dict(product_category="54", product_category_description="Jeugd-ggz")])
    _insert(con, "dim_referrer", [dict(referrer="01", referrer_description="Gemeente", sort_order=1),
                                  dict(referrer="02", referrer_description="Huisarts", sort_order=2)])
    # the dimensions the letters take their words from, as dbt makes them from the one declaration
    measures = dbt_macro_value("benchmark_measures.sql", "benchmark_measures")
    _insert(con, "dim_measure", [dict(measure=m["measure"], measure_group=m["group"], letter_label=m["letter_label"],
                                      letter_short=m["letter_short"], letter_format=m["letter_format"], sort_order=n)
                                 for n, m in enumerate(measures, 1)])
    bands = dbt_macro_value("duration_bands.sql", "duration_bands")
    _insert(con, "dim_duration_band", [dict(duration_band=b["band"], duration_band_order=n,
                                            duration_band_label=b["label"], duration_band_short_label=b["short_label"],
                                            is_length_of_care=b["length_of_care"]) for n, b in enumerate(bands, 1)])
    _insert(con, "dim_spend_breakdown", [dict(table_name=t, breakdown_label=label)
                                         for t, label in breakdown_labels().items()])
    municipalities = [(c, n, "Twente") for c, n, _v, _p in TWENTE] + [SMALL]
    _insert(con, "dim_municipality", [dict(municipality_code=c, municipality_name=n, youth_care_region=g)
                                      for c, n, g in municipalities])
    for year in range(YEAR - 2, YEAR + 1):
        for rank, (code, name, per_youth, pop) in enumerate(TWENTE, 1):
            value = round(per_youth - 100 * (YEAR - year), 2)
            _insert(con, "cost_by_municipality_year", [dict(
                municipality_code=code, municipality_name=name, youth_care_region="Twente", year=year,
                spend_eur=round(value * pop, 2), clients=150, youth_population=pop, spend_per_youth_eur=value,
                spend_per_client_eur=18574.27, evidence_based_spend_pct=34.2, suppressed=False)])
            bench = {"spend_per_youth_eur": (value, pop), "clients_per_1000_youth": (105.5, pop),
                     "spend_per_client_eur": (18574.27, 156), "evidence_based_spend_pct": (34.2, 2897586.71),
                     "ended_as_planned_pct": (68.7, 115), "dropout_pct": (14.8, 115), "no_recurrence_pct": (81.8, 22),
                     "satisfaction_mean": (7.1, 111), "running_over_12m_pct": (44.7, 123),
                     "running_over_24m_pct": (29.3, 123),
                     "running_without_outcome_over_12m_pct": (19.5 - YEAR + year, 123),
                     "spend_change_pct": (26.8, None), "client_effect_pct": (-4.3, None),
                     "per_client_effect_pct": (31.1, None), "price_effect_pct": (3.6, None),
                     "volume_mix_effect_pct": (23.2, None)}
            for measure, (v, n) in bench.items():
                hidden = code == "0164" and measure == "dropout_pct"  # a suppressed benchmark row
                _insert(con, "region_benchmark", [dict(
                    municipality_code=code, municipality_name=name, youth_care_region="Twente", year=year,
                    measure=measure, municipality_value=SECRET_PCT if hidden else v,
                    municipality_denominator=SECRET_COUNT if hidden else n, region_value=v + 1,
                    region_denominator=n and n * 3, all_value=v + 2, all_denominator=n and n * 5, region_rank=rank,
                    region_municipalities=3, suppressed=hidden)])
    for code, _name, _v, _p in TWENTE:
        _insert(con, "spend_growth", [dict(
            municipality_code=code, year=YEAR, spend_eur=2897586.71, spend_year_before_eur=2284750.05,
            spend_change_eur=612836.66, client_effect_eur=-98033.01, per_client_effect_eur=710869.67,
            price_effect_eur=82814.55, volume_mix_effect_eur=530022.11, tariff_change_pct=3.25, clients=156,
            clients_year_before=162, spend_per_client_eur=18574.27, spend_per_client_year_before_eur=14103.40,
            youth_population=1478, youth_population_change=-10, suppressed=False)])
        _insert(con, "interventions", [
            dict(municipality_code=code, year=YEAR, product_code="45A02", product_category="45",
                 intervention="Multisysteem Therapie (MST)", nji_recognition="effectief - sterke aanwijzingen",
                 evidence_based=True, spend_eur=256222.98, clients=18, trajectories_ended=10, ended_as_planned_pct=80.0,
                 suppressed=False),
            # suppressed, yet some of its columns still hold numbers (as the real file can)
            dict(municipality_code=code, year=YEAR, product_code="54B01", product_category="54",
                 intervention="Cognitieve gedragstherapie", nji_recognition="goed onderbouwd", evidence_based=False,
                 spend_eur=SECRET_EUR, clients=SECRET_COUNT, trajectories_ended=SECRET_COUNT,
                 ended_as_planned_pct=SECRET_PCT, suppressed=True)])
        _insert(con, "effectiveness_by_municipality_product", [
            dict(municipality_code=code, year=YEAR, product_category="45", trajectories_ended=64,
                 ended_as_planned_pct=62.5, dropout_pct=18.8, no_recurrence_pct=75.0, satisfaction_mean=7.2,
                 satisfaction_responses=60, suppressed=False),
            dict(municipality_code=code, year=YEAR, product_category="54", trajectories_ended=SECRET_COUNT,
                 ended_as_planned_pct=SECRET_PCT, suppressed=True)])
        _insert(con, "referral_channel_starts", [
            dict(municipality_code=code, youth_care_region="Twente", year=YEAR, referrer="01", trajectories_started=20,
                 share_of_starts_pct=None, region_share_of_starts_pct=15.7, suppressed=False),
            dict(municipality_code=code, youth_care_region="Twente", year=YEAR, referrer="02",
                 trajectories_started=SECRET_COUNT, share_of_starts_pct=SECRET_PCT, region_share_of_starts_pct=9.1,
                 suppressed=True)])
        _insert(con, "referral_channel_endings", [
            dict(municipality_code=code, year=YEAR, referrer="01", trajectories_ended=40, ended_as_planned_pct=67.5,
                 dropout_pct=17.5, suppressed=False)])
        _insert(con, "spend_by_municipality_provider_year", [
            dict(municipality_code=code, year=YEAR, provider_agb="11111111", provider_name="Kinderpraktijk Sterk 4",
                 spend_eur=186673.46,
                 share_of_municipality_spend_pct=6.4, margin_pct=4.5, margin_above_3pct=True,
                 rank_in_municipality=1, suppressed=False),
            dict(municipality_code=code, year=YEAR, provider_agb="22222222", provider_name="Opvoedhuis Eik 37",
                 spend_eur=SECRET_EUR,
                 margin_pct=1.7, margin_above_3pct=False, rank_in_municipality=2, suppressed=True)])
        _insert(con, "effectiveness_by_provider", [
            dict(municipality_code=code, year=YEAR, provider_agb="11111111", trajectories_ended=36,
                 ended_as_planned_pct=61.1, dropout_pct=13.9, cost_per_planned_end_eur=8485.15, suppressed=False),
            dict(municipality_code=code, year=YEAR, provider_agb="22222222", trajectories_ended=SECRET_COUNT,
                 ended_as_planned_pct=SECRET_PCT, suppressed=True)])
        _insert(con, "allocation_control", [
            dict(municipality_code=code, provider_agb="16335003", year=YEAR, allocations=11,
                 allocated_volume_eur=334644.37, declared_eur=129265.32, declared_over_allocation_eur=23605.30,
                 lines_outside_allocation_period=2, allocations_without_declarations=0,
                 declarations_without_allocation=0, suppressed=False),
            dict(municipality_code=code, provider_agb="27829155", year=YEAR, allocations=SECRET_COUNT,
                 declared_eur=SECRET_EUR, suppressed=True)])
        _insert(con, "spend_not_shown", [dict(table_name="interventions", municipality_code=code, year=YEAR,
                                              spend_eur=2897586.71, spend_shown_eur=256222.98,
                                              spend_not_shown_eur=2641363.73, rows_shown=1, rows_not_shown=1)])
    for code, name, g in municipalities:
        _insert(con, "provider_landscape", [dict(municipality_code=code, municipality_name=name, youth_care_region=g,
                                                 year=YEAR, providers=13, hhi=953, hhi_band="below 1500",
                                                 top5_share_pct=58.3, top5_share_band="50-75", suppressed=False)])
    # the region's category 45 hides its longest band (so the letter takes the pooled table of all
    # municipalities), category 54 hides nothing (so the letter pools the region's two years)
    for order, (band, n, planned) in enumerate([("<3m", 128, 48), ("3-6m", 240, 122), ("6-12m", 12, 7),
                                                ("12-24m", 37, 27), (">=24m", SECRET_COUNT, SECRET_COUNT)], 1):
        _insert(con, "duration_effect_by_region", [dict(
            youth_care_region="Twente", year=YEAR, product_category="45", duration_band=band,
            duration_band_order=order, trajectories_ended=n, ended_as_planned=planned,
            ended_as_planned_pct=round(100 * planned / n, 1), cost_per_trajectory_eur=2383.98,
            suppressed=band == ">=24m")])
        _insert(con, "duration_effect", [dict(
            product_category="45", duration_band=band, duration_band_order=order, trajectories_ended=n + 400,
            ended_as_planned=planned + 200, ended_as_planned_pct=round(100 * (planned + 200) / (n + 400), 1),
            suppressed=False)])
        for end_year in (YEAR - 1, YEAR):
            _insert(con, "duration_effect_by_region", [dict(
                youth_care_region="Twente", year=end_year, product_category="54", duration_band=band,
                duration_band_order=order, trajectories_ended=40 + order, ended_as_planned=20 + 2 * order,
                ended_as_planned_pct=round(100 * (20 + 2 * order) / (40 + order), 1), suppressed=False)])
    # December of the year and the year before, per Twente municipality; Hengelo's latest month hidden
    for code, _name, _v, _p in TWENTE:
        for year, (spend, clients, started) in ((YEAR - 1, (210000.0, 75, 20)), (YEAR, (232612.13, 80, 26))):
            hidden = code == "0164" and year == YEAR
            _insert(con, "cost_trends_by_municipality", [dict(
                municipality_code=code, youth_care_region="Twente", month=date(year, 12, 1),
                spend_eur=SECRET_EUR if hidden else spend, clients=clients, suppressed=hidden)])
            _insert(con, "trajectory_flows", [dict(
                municipality_code=code, youth_care_region="Twente", month=date(year, 12, 1), started=started,
                ended=18, running=120, running_over_12m=40, running_without_outcome_over_12m=12, suppressed=hidden)])
    _insert(con, "data_quality_summary", [dict(kind="declarations", status="loaded",
                                               ingested_month=date(YEAR + 1, 1, 1), files=40, rows_read=9000,
                                               rows_quarantined=21)])
    _insert(con, "quality_warnings", [dict(check_name=c, asset="a", norm=n, passed=v, run_id="r")
                                      for c, n, v in WARNINGS])
    _insert(con, "case_mix_model", [dict(outcome=o, factor=f, level=v, coefficient=0.1) for o in (
        "dropout", "ended_as_planned") for f, v in (("intercept", ""), ("age_band", "12-17"), ("sex", "M"),
                                                   ("product_category", "45"), ("referrer", "01"),
                                                   ("duration_band", "<3m"))])
    for level, cells in FUNNEL_CELLS.items():
        periods = {f"{YEAR - 2}-{YEAR}": (YEAR - 2, 1.0)} if level == "all" else {}
        for code in FUNNEL_AREAS[level]:
            for period, (first, share) in (periods | {str(YEAR): (YEAR, 0.4)}).items():
                _insert(con, "provider_adjusted_outcomes", [
                    _adjusted(agb, level, code, period, first, cell, share) for agb, cell in cells.items()])
    # Kleindorp: one year of spend, suppressed, and nothing else
    _insert(con, "cost_by_municipality_year", [dict(
        municipality_code=SMALL[0], municipality_name=SMALL[1], youth_care_region=SMALL[2], year=YEAR,
        spend_eur=SECRET_EUR, clients=4, suppressed=True)])
    con.close()
    return path


def _adjusted(agb: str, level: str, code: str, period: str, first: int, cell: tuple | None, share: float) -> dict:
    """One row of provider_adjusted_outcomes, its limits and signal computed as the mart computes them;
    `share` scales the three-year cell down to one year. A suppressed row keeps its key and the
    period's reference, and secret numbers elsewhere (as a real file can)."""
    row = dict(provider_agb=agb, provider_name=FUNNEL_PROVIDERS[agb], area_level=level, area_code=code,
               area_name=code, period=period, first_year=first, last_year=YEAR, suppressed=cell is None,
               trajectories_ended=SECRET_COUNT if cell is None else round(cell[0] * share))
    for i, (prefix, observed, expected) in enumerate((("dropout", "dropouts", "expected_dropouts"),
                                                      ("planned", "ended_as_planned", "expected_planned"))):
        ref, phi = FUNNEL_REFERENCE[prefix]
        row |= {f"{prefix}_reference_pct": ref, f"{prefix}_overdispersion": phi}
        if cell is None:
            row |= {observed: SECRET_COUNT, expected: SECRET_PCT, f"{prefix}_ratio": SECRET_PCT}
            continue
        o, e = round(cell[1 + i][0] * share), round(cell[1 + i][1] * share, 4)
        ratio = round(o / e, 3)
        s = math.sqrt(phi * (1 / e - 1 / row["trajectories_ended"]))
        limits = {c: round(max(0.0, 1 + sign * z * s), 3) for c, sign, z in (
            ("lower_998", -1, 3.090232), ("lower_95", -1, 1.959964), ("upper_95", 1, 1.959964),
            ("upper_998", 1, 3.090232))}
        signal = ("above_99.8" if ratio > limits["upper_998"] else "above_95" if ratio > limits["upper_95"]
                  else "below_99.8" if ratio < limits["lower_998"] else "below_95" if ratio < limits["lower_95"]
                  else "within")
        row |= {observed: o, expected: e, f"{prefix}_ratio": ratio, f"{prefix}_adjusted_pct": round(ratio * ref, 1),
                f"{prefix}_signal": signal, **{f"{prefix}_{c}": v for c, v in limits.items()}}
    return row


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_published(tmp_path_factory.mktemp("reports") / "warehouse" / "jeugdzorg.duckdb")


def _document(published: Path, key: str) -> tuple[dict, ReportPeriod]:
    with data.connect(published) as con:
        period, about_row = render.current_period(con, "year")
        subject = next(s for s in data.subjects(con) if s.key == key)
        return render.build_document(data.load(con, subject, period, about_row), period), period


def _text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_number_formats_are_dutch():
    assert number(1960.48, 2) == "1.960,48" and number(2897586.71) == "2.897.587" and number(-45019.38) == "-45.019"
    assert number(0.125, 2) == "0,13"  # half up, as people round
    assert euro(1960.48, 2) == "€\u00a01.960,48" and pct(68.66) == "68,7%"


def test_period_and_file_names():
    assert period_for("year", date(2025, 12, 31)) == ReportPeriod("year", 2025)
    assert period_for("year", date(2026, 3, 31)) == ReportPeriod("year", 2025)
    assert period_for("quarter", date(2026, 3, 31)).label == "2026-K1"
    assert period_for("quarter", date(2026, 3, 15)).label == "2025-K4"
    assert period_for("quarter", date(2025, 8, 31)).last_day == date(2025, 6, 30)
    assert municipality_key("0141", "Almelo") == "GM0141_Almelo"
    assert file_stem(ReportPeriod("year", 2025), "GM0141_Almelo") == "raadsinformatiebrief_2025_GM0141_Almelo"
    assert file_stem(ReportPeriod("year", 2025), "regio_Twente") == "raadsinformatiebrief_2025_regio_Twente"
    assert slug("Hengelo (O.)") == "Hengelo_O" and slug("Súdwest-Fryslân") == "Sudwest-Fryslan"
    assert period_for("month", date(2025, 12, 31)) == ReportPeriod("month", 2025, month=12)
    assert period_for("month", date(2026, 1, 30)).label == "2025-12"
    assert period_for("month", date(2025, 2, 28)).last_day == date(2025, 2, 28)
    assert ReportPeriod("month", 2025, month=12).title == "december 2025"


def test_municipality_report_renders_with_its_numbers_and_no_suppressed_value(published: Path):
    document, _period = _document(published, "GM0141_Almelo")
    pages = render.compile_document(document, "png", ppi=40)
    assert len(pages) >= 3 and all(p.startswith(b"\x89PNG") for p in pages)

    text = _text(render.compile_document(document))
    assert "Almelo" in text
    with duckdb.connect(str(published), read_only=True) as con:
        (value,) = con.execute("SELECT municipality_value FROM marts.region_benchmark WHERE municipality_code = '0141' "
                               "AND year = ? AND measure = 'spend_per_youth_eur'", [YEAR]).fetchone()
    assert f"€ {number(value, 2)}" in text  # as in region_benchmark, formatted as the report formats it
    assert "€ 1.960,48" in text
    assert "€ 256.223" in text and "Kinderpraktijk Sterk 4 (4,5%)" in text  # tables and text reach the text layer
    for secret in (number(SECRET_EUR), number(SECRET_EUR, 2), number(SECRET_PCT, 1), number(SECRET_COUNT)):
        assert secret not in text, secret
    # what is hidden says so, in words
    assert "niet getoond" in text


def test_region_report_and_a_municipality_with_almost_no_data(published: Path):
    document, _ = _document(published, "regio_Twente")
    text = _text(render.compile_document(document))
    assert "Twente" in text and "Hengelo (O.)" in text
    for secret in (number(SECRET_EUR), number(SECRET_PCT, 1), number(SECRET_COUNT)):
        assert secret not in text, secret

    document, _ = _document(published, "GM0999_Kleindorp")
    text = _text(render.compile_document(document))
    assert "Kleindorp" in text and "niets dat getoond kan worden" in text
    assert number(SECRET_EUR) not in text


def test_render_all_writes_named_files_and_skips_what_did_not_change(published: Path, tmp_path: Path):
    first = render.render_all(published, tmp_path, "year", keys={"GM0141_Almelo", "regio_Twente"})
    assert sorted(r.pdf.name for r in first) == ["raadsinformatiebrief_2025_GM0141_Almelo.pdf",
                                                 "raadsinformatiebrief_2025_regio_Twente.pdf"]
    assert all(r.status == "rendered" and r.pdf.exists() and r.pdf.with_suffix(".html").exists() for r in first)
    before = first[0].pdf.stat().st_mtime_ns
    again = render.render_all(published, tmp_path, "year", keys={"GM0141_Almelo", "regio_Twente"})
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert first[0].pdf.stat().st_mtime_ns == before
    assert [r.status for r in render.render_all(published, tmp_path, "year", keys={"GM0141_Almelo"}, force=True)] == [
        "rendered"]


def test_the_asset_renders_one_partition_and_the_sensor_requests_the_changed_ones(published: Path):
    data_dir = published.parent.parent
    warehouse = Warehouse(data_dir=str(data_dir), min_cell_size=10)
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization("published_warehouse"))
        from pipelines.definitions import defs
        from pipelines.sensors import council_reports_after_publish

        def tick() -> dg.SensorResult:
            return council_reports_after_publish(dg.build_sensor_context(instance=instance,
                                                                         resources={"warehouse": warehouse}))

        # a key of an earlier version, by code only: it leaves the list, and the letters come under names
        instance.add_dynamic_partitions(council_report_partitions.name, ["GM0141"])
        result = tick()
        keys = {"GM0141_Almelo", "GM0153_Enschede", "GM0164_Hengelo_O", "GM0999_Kleindorp", "regio_Achterhoek",
                "regio_Twente"}
        dropped, added = result.dynamic_partitions_requests
        assert list(dropped.partition_keys) == ["GM0141"] and isinstance(dropped, dg.DeleteDynamicPartitionsRequest)
        assert set(added.partition_keys) == keys
        # one run over every letter, not a run each: the queue takes one run at a time
        (run,) = result.run_requests
        assert run.tags["jeugdzorg/changed_reports"] == "6"
        # a run over a range of partitions gets none of the job's own (per-partition) config: the
        # request brings it, or the run's console prints every DEBUG event to `make ui`
        job = defs.resolve_job_def("render_council_reports")
        assert ResolvedRunConfig.build(job, {}).loggers == {}
        assert ResolvedRunConfig.build(job, run.run_config).loggers["console"]["config"]["log_level"] == "WARNING"

        instance.delete_dynamic_partition(council_report_partitions.name, "GM0141")
        instance.add_dynamic_partitions(council_report_partitions.name, sorted(keys))
        done = dg.materialize([council_reports], partition_key="GM0153_Enschede", instance=instance,
                              resources={"warehouse": warehouse})
        assert done.success
        assert (data_dir / "reports" / "2025" / "raadsinformatiebrief_2025_GM0153_Enschede.pdf").exists()

        # after the letter is written and materialised, the same publication asks for the other five
        instance.report_runless_asset_event(dg.AssetMaterialization("published_warehouse"))
        (run,) = tick().run_requests
        assert run.tags["jeugdzorg/changed_reports"] == "5"
        # the requested run covers every partition in one process, and records each
        everything = dg.materialize([council_reports], instance=instance, resources={"warehouse": warehouse},
                                    tags=run.tags)
        assert everything.success
        assert instance.get_materialized_partitions(dg.AssetKey("council_reports")) == keys
        instance.report_runless_asset_event(dg.AssetMaterialization("published_warehouse"))
        assert tick().run_requests == []


def test_the_refresh_jobs_leave_the_partitioned_reports_to_their_own_job():
    from pipelines.definitions import defs

    assert dg.AssetKey("council_reports") not in defs.resolve_job_def("nightly_refresh").asset_layer.selected_asset_keys
    for job in ("ingest_declarations", "ingest_surveys", "refresh_after_ingestion"):
        assert dg.AssetKey("council_reports") not in defs.resolve_job_def(job).asset_layer.selected_asset_keys
    assert defs.resolve_job_def("render_council_reports").asset_layer.selected_asset_keys == {
        dg.AssetKey("council_reports")}
    assert defs.resolve_sensor_def("council_reports_after_publish").job_name == "render_council_reports"


def test_the_report_period_setting():
    from foundation.settings import SettingsError, load_settings

    assert load_settings({}).report_period == "year"
    assert load_settings({"JEUGDZORG_REPORT_PERIOD": "Quarter"}).report_period == "quarter"
    assert load_settings({"JEUGDZORG_REPORT_PERIOD": "month"}).report_period == "month"
    with pytest.raises(SettingsError, match="JEUGDZORG_REPORT_PERIOD"):
        load_settings({"JEUGDZORG_REPORT_PERIOD": "week"})


def test_a_file_without_outcome_records_or_declarations_still_renders_or_says_nothing(published: Path, tmp_path):
    copy = tmp_path / "jeugdzorg.duckdb"
    shutil.copy(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE marts.about SET outcome_records_through = NULL")
    document, _ = _document(copy, "GM0141_Almelo")
    assert "nog zonder uitkomstregistraties" in _text(render.compile_document(document))
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE marts.about SET data_through = NULL")
    assert render.render_all(copy, tmp_path / "reports", "year") == []


# ---- issue 35: nothing false, every number traceable

MONTHS_RE = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(text: str) -> Counter:
    """The numbers in a text, after the exempt ones (render.EXEMPT_RULE): dates, years, page and figure
    numbers."""
    text = re.sub(r"pagina \d+ van \d+|Figuur \d+:", " ", text)
    text = re.sub(rf"\b\d{{1,2}} (?:{MONTHS_RE})(?: \d{{4}})?", " ", text)
    text = re.sub(r"(?<![\d.,])(?:19|20)\d\d(?![\d]|[.,]\d)", " ", text)
    return Counter(NUMBER.findall(text))


def check_letter(published: Path, pdf: Path) -> int:
    """The tracing check of one letter: every figure's query, run on the published file alone,
    returns the value its text prints; every number in the PDF's text is a listed figure, name or
    wording, or exempt. Returns how many figures were checked."""
    listing = json.loads(pdf.with_suffix(".figures.json").read_text())
    allowed: Counter = Counter()
    names = {t for i in listing["figures"] if i["kind"] == "name" for t in NUMBER.findall(i["text"])}
    with duckdb.connect(str(published), read_only=True) as con:
        for item in listing["figures"]:
            allowed.update(NUMBER.findall(item["text"]))
            if item["kind"] not in ("figure", "missing") or item["sql"] is None:
                continue
            got = con.execute(item["sql"]).fetchall()
            assert len(got) <= 1, item
            value = got[0][0] if got else None
            if item["kind"] == "missing":
                assert value is None, item
            else:
                assert value is not None and FORMATS[item["format"]](value) == item["text"], (item, value)
    text = _text(pdf.read_bytes())
    untraced = Counter({t: n for t, n in (_numbers(text) - allowed).items() if t not in names})
    assert not untraced, f"{pdf.name}: numbers without a figure: {dict(untraced)}"
    return len(listing["figures"])


def test_every_number_of_every_letter_is_traced_to_the_published_file(published: Path, tmp_path: Path):
    done = render.render_all(published, tmp_path, "year")
    assert {r.key for r in done} == {"GM0141_Almelo", "GM0153_Enschede", "GM0164_Hengelo_O", "GM0999_Kleindorp",
                                     "regio_Achterhoek", "regio_Twente"}
    assert all(r.status == "rendered" for r in done)
    checked = {r.key: check_letter(published, r.pdf) for r in done}
    assert checked["GM0141_Almelo"] > 50 and checked["regio_Twente"] > 30


def test_the_tracing_check_catches_a_number_nobody_listed(published: Path, tmp_path: Path):
    (almelo,) = render.render_all(published, tmp_path, "year", keys={"GM0141_Almelo"})
    listing = json.loads(almelo.pdf.with_suffix(".figures.json").read_text())
    # drop the first figure whose number is printed once: the check must miss it
    counts = _numbers(_text(almelo.pdf.read_bytes()))
    victim = next(i for i in listing["figures"] if i["kind"] == "figure"
                  and all(counts[t] == 1 for t in NUMBER.findall(i["text"])) and NUMBER.findall(i["text"]))
    listing["figures"].remove(victim)
    almelo.pdf.with_suffix(".figures.json").write_text(json.dumps(listing))
    with pytest.raises(AssertionError, match="numbers without a figure"):
        check_letter(published, almelo.pdf)


def _planted(published: Path, tmp_path: Path) -> Path:
    """A copy of the file with, in Almelo's 2025 rows, a NULL where disclosure control emptied a count,
    a satisfaction grade that nobody measured, a true zero, and no growth row (no data yet)."""
    copy = tmp_path / "warehouse" / "jeugdzorg.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE marts.allocation_control SET declarations_without_allocation = NULL, "
                    "lines_outside_allocation_period = 0 WHERE municipality_code = '0141' AND NOT suppressed")
        con.execute("UPDATE marts.region_benchmark SET municipality_value = NULL, municipality_denominator = 0 "
                    "WHERE municipality_code = '0141' AND year = ? AND measure = 'satisfaction_mean'", [YEAR])
        con.execute("DELETE FROM marts.spend_growth WHERE municipality_code = '0141'")
    return copy


def _row(document: dict, first_cell: str, header: str | None = None) -> list[str]:
    """The first table row that starts with `first_cell` (in a table with the column `header`)."""
    return next(r for s in document["sections"] for b in s["blocks"] if b["type"] == "table"
                and (header is None or header in b["columns"]) for r in b["rows"] if r[0] == first_cell)


def test_a_null_a_hidden_cell_a_zero_and_no_data_each_print_as_the_rules_say(published: Path, tmp_path: Path):
    copy = _planted(published, tmp_path)
    document, _ = _document(copy, "GM0141_Almelo")
    assert _row(document, "Declaraties zonder toewijzing")[1] == "– verborgen"  # NULL: emptied, never 0
    assert _row(document, "Declaratieregels buiten de periode van de toewijzing")[1] == "0"  # a true zero
    assert _row(document, "Tevredenheid (rapportcijfer)")[1] == "– niet gemeten"  # nobody answered
    growth = next(s for s in document["sections"] if s["title"] == "Waarom veranderden de uitgaven?")
    assert "– nog geen gegevens" in growth["blocks"][0]["text"]  # no row at all
    hengelo, _ = _document(copy, "GM0164_Hengelo_O")  # its dropout row is suppressed in the file
    assert _row(hengelo, "Uitval (voortijdig afgebroken)")[1] == "– verborgen"
    # and so in the PDF, with the reasons explained in the begrippenlijst
    text = _text(render.compile_document(document))
    for printed in ("– niet gemeten", "– nog geen gegevens", "Declaraties zonder toewijzing – verborgen"):
        assert printed in text, printed
    # each of them is in the figure list, with a query that returns nothing on the published file
    (letter,) = render.render_all(copy, tmp_path / "reports", "year", keys={"GM0141_Almelo"})
    check_letter(copy, letter.pdf)
    missing = {i["reason"] for i in json.loads(letter.pdf.with_suffix(".figures.json").read_text())["figures"]
               if i["kind"] == "missing"}
    assert {"hidden", "not_measured", "no_data"} <= missing


def test_plain_dutch_comparison_group_named_and_nji_levels_in_their_own_words(published: Path):
    document, _ = _document(published, "GM0141_Almelo")
    text = _text(render.compile_document(document))
    assert not re.search(r"\w+_\w+|\.md\b|\.duckdb\b|DATA_CONTRACT|middenpunt", text)
    with duckdb.connect(str(published), read_only=True) as con:
        (n,) = con.execute("SELECT count(DISTINCT municipality_code) FROM marts.region_benchmark WHERE year = ?",
                           [YEAR]).fetchone()
    assert f"de {n} gemeenten in deze gegevens" in text
    assert not re.search(r"alle gemeenten(?! in deze gegevens)", text.lower())
    assert "bewezen" not in text.lower() and "effectief volgens sterke aanwijzingen" in text
    assert "Begrippenlijst" in text and "Concentratie-index (HHI)" in text and "Uitval:" in text


def test_demo_watermark_on_every_page_and_the_motion_only_where_one_is_set(published: Path, tmp_path: Path):
    done = {r.key: r for r in render.render_all(published, tmp_path, "year", keys={"GM0141_Almelo", "GM0153_Enschede"},
                                                demo=True)}
    for r in done.values():
        pages = pypdf.PdfReader(r.pdf).pages
        assert len(pages) > 2 and all("DEMO: synthetische gegevens" in p.extract_text() for p in pages)
    assert render.motions()["GM0141"] in " ".join(_text(done["GM0141_Almelo"].pdf.read_bytes()).split())
    assert "Zo geven wij antwoord op" not in _text(done["GM0153_Enschede"].pdf.read_bytes())
    plain = render.render_all(published, tmp_path / "real", "year", keys={"GM0153_Enschede"})[0]
    assert "DEMO" not in _text(plain.pdf.read_bytes())
    # the pipeline knows demo data by the generator's manifest in the data folder's raw/
    assert not render.is_demo(published)
    (published.parent.parent / "raw").mkdir(exist_ok=True)
    (published.parent.parent / "raw" / "demo_manifest.json").write_text("{}")
    try:
        assert render.is_demo(published)
    finally:
        (published.parent.parent / "raw" / "demo_manifest.json").unlink()


def test_letters_render_when_the_reference_data_name_nothing(published: Path, tmp_path: Path):
    """A national file's providers, products, referrers and municipalities that the reference lists do
    not name: every letter renders and says so in words."""
    copy = tmp_path / "warehouse" / "jeugdzorg.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE marts.spend_by_municipality_provider_year SET provider_name = NULL")
        con.execute("UPDATE marts.interventions SET intervention = NULL, nji_recognition = NULL")
        con.execute("DELETE FROM marts.dim_referrer")
        con.execute("DELETE FROM marts.dim_product_category")
        con.execute("UPDATE marts.cost_by_municipality_year SET municipality_name = NULL WHERE municipality_code = "
                    "'0153'")
        # a region whose name holds a digit: a name, not a figure, in every letter that prints it
        for (table,) in con.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = 'marts' "
                                    "AND column_name = 'youth_care_region'").fetchall():
            con.execute(f"UPDATE marts.{table} SET youth_care_region = 'Twente 2' WHERE youth_care_region = 'Twente'")
    done = render.render_all(copy, tmp_path / "reports", "year")
    assert [r for r in done if r.status != "rendered"] == []
    text = _text(next(r for r in done if r.key == "GM0141_Almelo").pdf.read_bytes())
    for said in ("aanbieder met AGB-code 11111111 (naam niet in de referentielijst)",
                 "product 45A02 (geen interventie in de referentielijst)", "verwijzer met code 01 (niet in de "
                 "referentielijst)", "45 (omschrijving niet in de referentielijst)"):
        assert said in text, said
    assert any(r.key == "GM0153_gemeente_0153" and r.name == "gemeente 0153" for r in done)
    for r in done + render.render_all(copy, tmp_path / "reports", "month"):
        check_letter(copy, r.pdf)


def test_the_region_over_the_years_is_empty_where_a_member_is_missing_hidden_or_unknown(published: Path,
                                                                                        tmp_path: Path):
    """The region's spend against its young people per year sums its members only when every member
    has the value: a member without data that year, a hidden cell and an unknown population each
    leave the total empty, with their own reason."""
    copy = tmp_path / "warehouse" / "jeugdzorg.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM marts.cost_by_municipality_year WHERE municipality_code = '0153' AND year = ?",
                    [YEAR - 2])
        con.execute("UPDATE marts.cost_by_municipality_year SET suppressed = true, spend_eur = NULL, "
                    "youth_population = NULL WHERE municipality_code = '0164' AND year = ?", [YEAR - 1])
        con.execute("UPDATE marts.cost_by_municipality_year SET youth_population = NULL "
                    "WHERE municipality_code = '0141' AND year = ?", [YEAR])
        spend = con.execute("SELECT sum(spend_eur) FROM marts.cost_by_municipality_year "
                            "WHERE youth_care_region = 'Twente' AND year = ?", [YEAR]).fetchone()[0]
    document, _ = _document(copy, "regio_Twente")
    header = "Uitgaven per jeugdige"
    assert _row(document, str(YEAR - 2), header)[1:] == ["– nog geen gegevens"] * 3
    assert _row(document, str(YEAR - 1), header)[1:] == ["– verborgen"] * 3
    assert _row(document, str(YEAR), header)[1:] == [euro(float(spend)), "– nog geen gegevens",
                                                     "– nog geen gegevens"]
    paragraphs = " ".join(b.get("text", "") for sec in document["sections"] for b in sec["blocks"])
    assert (f"van {YEAR - 2} tot en met {YEAR} veranderden de uitgaven met – nog geen gegevens, het aantal "
            "jeugdigen met – nog geen gegevens") in paragraphs
    (letter,) = render.render_all(copy, tmp_path / "reports", "year", keys={"regio_Twente"})
    check_letter(copy, letter.pdf)


def _break_enschede(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enschede's letter (GM0153) fails while it is built; every other letter is built as usual."""
    real = municipality.municipality_document

    def breaks_on_enschede(d: dict, title: str) -> dict:
        if d["code"] == "0153":
            raise RuntimeError("planted failure")
        return real(d, title)

    monkeypatch.setattr(municipality, "municipality_document", breaks_on_enschede)


def test_a_name_with_dollars_is_text_and_one_failing_letter_stops_no_other(published: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    copy = tmp_path / "warehouse" / "jeugdzorg.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published, copy)
    odd = r"Almelo $\frac{1}{0}$ $x^"
    with duckdb.connect(str(copy)) as con:
        for table in ("cost_by_municipality_year", "region_benchmark"):
            con.execute(f"UPDATE marts.{table} SET municipality_name = ? WHERE municipality_code = '0141'", [odd])
    done = render.render_all(copy, tmp_path / "reports", "year", keys={municipality_key("0141", odd), "regio_Twente"})
    assert [r.status for r in done] == ["rendered", "rendered"]
    assert done[0].key == "GM0141_Almelo_frac_1_0_x"  # a partition key of letters, digits, '-' and '_'
    assert odd in _text(done[0].pdf.read_bytes())

    _break_enschede(monkeypatch)
    done = {r.key: r for r in render.render_all(copy, tmp_path / "again", "year", force=True)}
    assert done["GM0153_Enschede"].status == "failed" and "planted failure" in done["GM0153_Enschede"].error
    assert {k for k, r in done.items() if r.status == "rendered"} == set(done) - {"GM0153_Enschede"}


def test_a_renamed_municipality_leaves_one_letter(published: Path, tmp_path: Path):
    copy = tmp_path / "warehouse" / "jeugdzorg.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published, copy)
    reports = tmp_path / "reports"
    (old,) = render.render_all(copy, reports, "year", keys={"GM0141_Almelo"})
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE marts.cost_by_municipality_year SET municipality_name = 'Almelo-Noord' "
                    "WHERE municipality_code = '0141'")
    # a new partition key (the sensor drops the old one), and one letter: the code finds the old one
    (new,) = render.render_all(copy, reports, "year", keys={"GM0141_Almelo-Noord"})
    assert new.pdf.name == "raadsinformatiebrief_2025_GM0141_Almelo-Noord.pdf"
    letters = sorted(p.name for p in (reports / "2025").rglob("*GM0141*"))
    assert letters == sorted(f"raadsinformatiebrief_2025_GM0141_Almelo-Noord{ext}" for ext in (
        ".figures.json", ".funnel_dropout.svg", ".funnel_planned.svg", ".html", ".pdf", ".sha256"))
    assert not old.pdf.exists()


def test_the_motion_sections_answer_with_the_published_figures(published: Path):
    document, _ = _document(published, "GM0141_Almelo")
    # providers (Almelo, Hoogeveen): outcomes and cost per planned ending beside spend and margin
    provider = _row(document, "Kinderpraktijk Sterk 4")
    assert provider[1:] == [euro(186673.46), pct(6.4), pct(4.5), "36", pct(61.1), pct(13.9), euro(8485.15)]
    # long-running care without result (Hoogeveen, Almelo), with its trend
    running = "Lopend op 31 december"
    assert _row(document, str(YEAR), running)[-1] == pct(19.5) and _row(document, str(YEAR - 1), running)[-1] == pct(
        18.5)
    text = _text(render.compile_document(document))
    assert f"{pct(19.5)} van de trajecten langer dan een jaar zonder uitkomstmeting: meer dan eind {YEAR - 1}" in text
    # the longest duration that helps (Zoetermeer): category 54 pooled over the region's two years
    # (nothing hidden), category 45 from all municipalities together (the region hides a band)
    pooled = [100 * (2 * (20 + 2 * o)) / (2 * (40 + o)) for o in range(1, 6)]
    row54 = _row(document, "54 Jeugd-ggz (regio)")
    assert [c.split("\n")[0] for c in row54[1:]] == [pct(v) for v in pooled]
    assert row54[1].endswith(f"n = {2 * 41}")
    row45 = _row(document, "45 Jeugdhulp ambulant (alle gemeenten in deze gegevens)")
    assert row45[-1].startswith(pct(round(100 * (SECRET_COUNT + 200) / (SECRET_COUNT + 400), 1)))
    best = _row(document, "54 Jeugd-ggz")
    assert best[1:] == ["twee jaar of langer", pct(pooled[-1]), str(2 * 45)]


def test_the_region_letter_sets_growth_drivers_and_young_people_side_by_side(published: Path):
    document, _ = _document(published, "regio_Twente")
    signed = FORMATS["pct_signed"]
    assert _row(document, "Almelo", "Jeugdigen erbij of eraf")[1:] == [
        signed(26.8), signed(-4.3), signed(31.1), signed(3.6), signed(23.2), number(-10)]
    text = _text(render.compile_document(document))
    assert f"Het aantal jeugdigen in de regio daalde in die tijd met {10 * len(TWENTE)}." in text


# WARN checks in the file: (check, norm, passed); one never ran
WARNINGS = [("c1", "Van elke gemeente komen de declaraties binnen.", False),
            ("c2", "Elke creditering hoort bij een declaratie.", True),
            ("c3", "Geen aanbieder zonder jaarrekening.", False), ("c4", "Nog nooit gedraaid.", None)]


def test_the_monthly_letter_sets_the_month_against_the_same_month_a_year_before(published: Path, tmp_path: Path):
    done = {r.key: r for r in render.render_all(published, tmp_path, "month")}
    assert all(r.status == "rendered" and r.pdf.parent.name == f"{YEAR}-12" for r in done.values())
    for r in done.values():
        check_letter(published, r.pdf)
    with data.connect(published) as con:
        period, about_row = render.current_period(con, "month")
        almelo = next(s for s in data.subjects(con) if s.key == "GM0141_Almelo")
        twente = next(s for s in data.subjects(con) if s.key == "regio_Twente")
        document = render.build_document(data.load(con, almelo, period, about_row), period)
        region = render.build_document(data.load(con, twente, period, about_row), period)
    signed = FORMATS["pct_signed"]
    assert _row(document, "Uitgaven") == ["Uitgaven", euro(232612.13), euro(210000.0),
                                          signed(100 * (232612.13 - 210000.0) / 210000.0)]
    assert _row(document, "Begonnen trajecten")[1:] == ["26", "20", signed(100 * 6 / 20)]
    # what changed most is the largest change of the table: the starts here
    text = _text(render.compile_document(document))
    assert f"Begonnen trajecten steeg het meest: {signed(30.0)}" in text
    # the region adds up its municipalities, and hides a month where one of them is hidden
    assert _row(region, "Uitgaven")[1] == "– verborgen" and _row(region, "Uitgaven")[2] == euro(3 * 210000.0)
    assert number(SECRET_EUR, 0) not in _text(render.compile_document(region))
    # the WARN checks that spoke up, by their norm, with how many there are and how many never ran
    assert "kent 4 controles" in text and "gaven er 2 een waarschuwing" in text
    table = next(b for sec in document["sections"] for b in sec["blocks"]
                 if b["type"] == "table" and b["columns"] == ["Deze norm werd niet gehaald"])
    assert table["rows"] == [[n] for _c, n, v in WARNINGS if v is False]
    assert "1 van deze controles zijn nog nooit uitgevoerd" in text and "Nog nooit gedraaid" not in text


def test_the_asset_writes_the_other_letters_and_fails_the_run_naming_the_broken_one(
        published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data_dir = tmp_path / "data"
    shutil.copytree(published.parent, data_dir / "warehouse")
    _break_enschede(monkeypatch)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(council_report_partitions.name, ["GM0141_Almelo", "GM0153_Enschede"])
        result = dg.materialize([council_reports], instance=instance, raise_on_error=False,
                                resources={"warehouse": Warehouse(data_dir=str(data_dir), min_cell_size=10)},
                                tags={"dagster/asset_partition_range_start": "GM0141_Almelo",
                                      "dagster/asset_partition_range_end": "GM0153_Enschede"})
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "GM0153_Enschede (Enschede): RuntimeError: planted failure" in failure.step_failure_data.error.message
    assert (data_dir / "reports" / "2025" / "raadsinformatiebrief_2025_GM0141_Almelo.pdf").exists()


# ---- issue 37: providers against what their children predict (the funnel plot)

def _funnel_rows(published: Path, level: str, code: str) -> tuple[str, list[dict]]:
    """The period a letter's funnel uses (the three years up to the letter's year when the file has
    them) and its points in provider_adjusted_outcomes, read here from the published file: the
    providers of the municipality or region (`level`), each over all municipalities."""
    members = data.lit(code) if level == "municipality" else (
        f"SELECT municipality_code FROM marts.dim_municipality WHERE youth_care_region = {data.lit(code)}")
    providers = ("provider_agb IN (SELECT provider_agb FROM marts.provider_adjusted_outcomes WHERE "
                 f"area_level = 'municipality' AND area_code IN ({members}))")
    level, code = "all", "all"
    with duckdb.connect(str(published), read_only=True) as con:
        pooled = f"{YEAR - 2}-{YEAR}"
        (n,) = con.execute("SELECT count(*) FROM marts.provider_adjusted_outcomes WHERE period = ? "
                           "AND area_level = ?", [pooled, level]).fetchone()
        period = pooled if n else str(YEAR)
        return period, data.rows(con, f"SELECT * FROM marts.provider_adjusted_outcomes WHERE area_level = "
                                      f"{data.lit(level)} AND area_code = {data.lit(code)} AND period = "
                                      f"{data.lit(period)} AND {providers}")


def _tables_with(document: dict, header: str) -> list[list[str]]:
    return [r for s in document["sections"] for b in s["blocks"] if b["type"] == "table" and header in b["columns"]
            for r in b["rows"]]


def test_the_funnel_sets_each_provider_against_what_its_children_predict(published: Path, tmp_path: Path):
    done = {r.key: r for r in render.render_all(published, tmp_path, "year", keys={"GM0141_Almelo", "regio_Twente"})}
    dec3 = FORMATS["dec3"]
    for key, level, code in (("GM0141_Almelo", "municipality", "0141"), ("regio_Twente", "region", "Twente")):
        letter = done[key]
        check_letter(published, letter.pdf)  # every number the funnel section prints traces to the file
        period, found = _funnel_rows(published, level, code)
        assert found
        document, _ = _document(published, key)
        text = _text(letter.pdf.read_bytes())
        assert f"{period.replace('-', ' tot en met ')}" in text
        outside = _tables_with(document, "Verhouding")
        for prefix, observed, expected in (("dropout", "dropouts", "expected_dropouts"),
                                           ("planned", "ended_as_planned", "expected_planned")):
            svg = letter.pdf.with_name(f"{letter.pdf.stem}.funnel_{prefix}.svg").read_text()
            assert svg.startswith("<?xml") and svg[svg.find("<svg"):] in letter.pdf.with_suffix(".html").read_text()
            for r in found:
                point = f'id="funnel-{prefix}-{r["provider_agb"]}"'
                assert (point in svg) is (not r["suppressed"]), (key, prefix, r["provider_agb"])
                if r["suppressed"]:
                    continue
                # the curves are drawn from the period's overdispersion: at this provider's precision
                # (its expected number and trajectories) they are its published limits
                limit = charts.funnel_limit(charts.precision(r[expected], r["trajectories_ended"]), 1.959964,
                                            r[f"{prefix}_overdispersion"])
                assert abs(1 + limit - r[f"{prefix}_upper_95"]) < 0.002
                printed = [r["provider_name"], number(r["trajectories_ended"]), number(r[observed]),
                           number(r[expected], 1), dec3(r[f"{prefix}_ratio"]),
                           f"{dec3(r[f'{prefix}_lower_95'])} – {dec3(r[f'{prefix}_upper_95'])}",
                           f"{dec3(r[f'{prefix}_lower_998'])} – {dec3(r[f'{prefix}_upper_998'])}"]
                # a provider outside the 95 % limits is named with its figures; one within is not listed
                assert (printed in [row[:-1] for row in outside]) is (r[f"{prefix}_signal"] != "within"), printed
        assert "signaal om met de aanbieder te bespreken, geen oordeel" in text
        # what the comparison corrects for is read from the published model, and only that (read from the
        # letter's paragraphs: in the PDF a page break may fall inside the sentence)
        paragraphs = " ".join(b.get("text", "") for s in document["sections"] for b in s["blocks"])
        assert ("De vergelijking corrigeert alleen voor leeftijd, geslacht, soort hulp (productcategorie), verwijzer "
                "en duur van het traject, niet voor wat niet in de gegevens staat, zoals de zwaarte van de problemen "
                "of de gezinssituatie. Ze zegt niets over een individueel kind.") in paragraphs
        for term in ("Trechter (funnelplot):", "Verwacht aantal:", "Casemix:", "Overdispersie:"):
            assert term in text, term
    # Opvoedhuis Eik 37 is too small in Almelo itself, but both letters show it at its pooled point over
    # all municipalities
    almelo = done["GM0141_Almelo"].pdf
    assert "ook over alle gemeenten in deze gegevens samen te weinig" not in _text(almelo.read_bytes())
    for letter in (almelo, done["regio_Twente"].pdf):
        assert 'id="funnel-dropout-22222222"' in letter.with_name(f"{letter.stem}.funnel_dropout.svg").read_text()


def test_the_funnel_falls_back_to_one_year_and_its_chart_file_goes_with_it(published: Path, tmp_path: Path):
    copy = tmp_path / "warehouse" / "jeugdzorg.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published, copy)
    reports = tmp_path / "reports"
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM marts.provider_adjusted_outcomes WHERE first_year < last_year")
    (letter,) = render.render_all(copy, reports, "year", keys={"GM0141_Almelo"})
    check_letter(copy, letter.pdf)
    text = _text(letter.pdf.read_bytes())
    assert f"die eindigden in {YEAR}, bij de aanbieders die in Almelo werkten" in text
    assert "drie jaren samen" not in text
    chart = letter.pdf.with_name(f"{letter.pdf.stem}.funnel_dropout.svg")
    assert chart.exists()
    # no provider left to compare: the letter says so and the stale chart is gone
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM marts.provider_adjusted_outcomes WHERE area_code = '0141'")
    (letter,) = render.render_all(copy, reports, "year", keys={"GM0141_Almelo"})
    check_letter(copy, letter.pdf)
    assert not chart.exists() and not list(letter.pdf.parent.glob("*.svg"))
    assert "geen aanbieder met genoeg cliënten om te vergelijken" in _text(letter.pdf.read_bytes())
