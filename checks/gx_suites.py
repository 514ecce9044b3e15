"""Great Expectations suites, kept as code: what staged and reference tables must look like.

Each suite is plain GX Core 1.x expectations on the table's own column names. Value sets come
from the iJw code lists shipped with the product, so a code list update changes the suite too.
Uniqueness and cross-table rules are cheaper in SQL and live in `sql_rules.py`.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache

import great_expectations as gx
import pandas as pd

from assets.ingest import row_rules
from assets.ingest.declaration_rules import MAX_LINE_EUR, MAX_VOLUME
from foundation.reference_data import REFERENCE_DIR

E = gx.expectations
JEUGDWET_START = pd.Timestamp(row_rules.JEUGDWET_START)  # the row rules quarantine what predates it
PSEUDONYM = r"^[0-9a-f]{32}$"  # HMAC-SHA256 truncated to 128 bits (foundation/pseudonyms.py)
NJI_LEVELS = ["niet beoordeeld", "goed onderbouwd", "effectief - eerste aanwijzingen",
              "effectief - goede aanwijzingen", "effectief - sterke aanwijzingen"]


@cache
def code_list(file: str) -> list[str]:
    with (REFERENCE_DIR / "ijw" / file).open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def _today() -> pd.Timestamp:
    return pd.Timestamp(date.today())


def _not_null(*columns: str) -> list:
    return [E.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def declaration_lines_suite() -> tuple[list[str], list]:
    """staging.declaration_lines: (expected columns, expectations)."""
    columns = ["source_file", "source_sha256", "source_line", "ingested_at", "declaration_number", "provider_agb",
               "municipality_code", "client_pseudonym", "reference_number", "previous_reference_number",
               "allocation_number", "product_category", "product_code", "period_start", "period_end",
               "service_month", "service_year", "delivered_volume", "unit", "tariff_cents", "debit_credit",
               "amount_eur"]
    return columns, [
        *_not_null("source_file", "source_line", "provider_agb", "municipality_code", "client_pseudonym",
                   "reference_number", "allocation_number", "product_category", "product_code", "period_start",
                   "period_end", "service_month", "unit", "debit_credit", "amount_eur"),
        E.ExpectColumnValuesToMatchRegex(column="provider_agb", regex=r"^[0-9]{8}$"),
        E.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^[0-9]{4}$"),
        E.ExpectColumnValuesToMatchRegex(column="client_pseudonym", regex=PSEUDONYM),
        E.ExpectColumnValuesToBeInSet(column="product_category", value_set=code_list("jz020_productcategorie.csv")),
        E.ExpectColumnValuesToBeInSet(column="unit", value_set=code_list("wj756_eenheid.csv")),
        E.ExpectColumnValuesToBeInSet(column="debit_credit", value_set=["D", "C"]),
        E.ExpectColumnValuesToBeBetween(column="period_start", min_value=JEUGDWET_START, max_value=_today()),
        E.ExpectColumnValuesToBeBetween(column="service_month", min_value=JEUGDWET_START, max_value=_today()),
        # the bounds rule D11 quarantines beyond these (assets/ingest/declaration_rules.py)
        E.ExpectColumnValuesToBeBetween(column="amount_eur", min_value=-MAX_LINE_EUR, max_value=MAX_LINE_EUR),
        E.ExpectColumnValuesToBeBetween(column="delivered_volume", min_value=0, max_value=MAX_VOLUME),
    ]


def outcome_responses_suite() -> tuple[list[str], list]:
    columns = ["source_file", "source_sha256", "source_line", "ingested_at", "response_id", "provider_agb",
               "municipality_code", "client_pseudonym", "allocation_number", "product_category", "referrer",
               "start_date", "end_date", "end_reason", "cbs_end_reason", "counts_as_ended", "informant",
               "filled_date", "satisfaction", "self_reliance", "instrument", "score_begin", "score_end"]
    return columns, [
        *_not_null("source_file", "response_id", "provider_agb", "municipality_code", "client_pseudonym",
                   "allocation_number", "start_date", "informant", "filled_date"),
        E.ExpectColumnValuesToMatchRegex(column="client_pseudonym", regex=PSEUDONYM),
        E.ExpectColumnValuesToMatchRegex(column="provider_agb", regex=r"^[0-9]{8}$"),
        E.ExpectColumnValuesToBeInSet(column="informant", value_set=["jeugdige", "ouder"]),
        E.ExpectColumnValuesToBeBetween(column="satisfaction", min_value=1, max_value=10),
        E.ExpectColumnValuesToBeInSet(column="self_reliance", value_set=["01", "02", "03", "04"]),
        E.ExpectColumnValuesToBeInSet(column="end_reason", value_set=code_list("jz588_reden_beeindiging.csv")),
        E.ExpectColumnValuesToBeInSet(column="cbs_end_reason", value_set=["01", "02", "03", "04", "05"]),
        E.ExpectColumnValuesToBeInSet(column="referrer", value_set=code_list("cod327_verwijzer.csv")),
        E.ExpectColumnValuesToBeBetween(column="start_date", min_value=JEUGDWET_START, max_value=_today()),
        E.ExpectColumnValuesToBeBetween(column="filled_date", min_value=JEUGDWET_START, max_value=_today()),
    ]


REFERENCE_SUITES: dict[str, tuple[list[str], list]] = {
    "ref.municipalities": (["municipality_code", "municipality_name", "province", "youth_care_region"], [
        *_not_null("municipality_code", "municipality_name", "youth_care_region"),
        E.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^[0-9]{4}$"),
    ]),
    "ref.population": (["municipality_code", "year", "youth_population"], [
        *_not_null("municipality_code", "year", "youth_population"),
        E.ExpectColumnValuesToBeBetween(column="youth_population", min_value=0, max_value=2_000_000),
        E.ExpectColumnValuesToBeBetween(column="year", min_value=2015, max_value=2100),
    ]),
    "ref.providers": (["provider_agb", "provider_name"], [
        E.ExpectColumnValuesToMatchRegex(column="provider_agb", regex=r"^[0-9]{8}$"),
    ]),
    "ref.provider_financials": (["provider_agb", "year", "revenue_eur", "operating_result_eur"], [
        E.ExpectColumnValuesToMatchRegex(column="provider_agb", regex=r"^[0-9]{8}$"),
        E.ExpectColumnValuesToBeBetween(column="revenue_eur", min_value=0),
    ]),
    "ref.products": (["product_code", "product_category", "product_description", "intervention",
                      "nji_recognition"], [
        E.ExpectColumnValuesToBeInSet(column="product_category", value_set=code_list("jz020_productcategorie.csv")),
        E.ExpectColumnValuesToBeInSet(column="nji_recognition", value_set=NJI_LEVELS),
    ]),
    # a blank direction would count a worsening as a reliable improvement (trajectory_outcomes' CASE),
    # a blank reliability a response that can never improve: every norm is complete or the run stops
    "ref.instrument_norms": (["instrument", "lower_is_better", "sd", "reliability"], [
        *_not_null("instrument", "lower_is_better", "sd", "reliability"),
        E.ExpectColumnValuesToBeBetween(column="sd", min_value=0, strict_min=True),
        E.ExpectColumnValuesToBeBetween(column="reliability", min_value=0, max_value=1),
    ]),
}
