"""What the published file says, as cells and the sums that tie them together.

Disclosure control (DATA_CONTRACT "Disclosure control") needs one view of the whole file: the
same figure often stands in several tables (a municipality's spend in a year is in
cost_by_municipality_year, spend_growth, region_benchmark and on every provider row), and figures
add up across tables (months to the year, providers to the municipality, municipalities to the
region). So every published number that matters is mapped to a **cell**, a quantity with a key
(`q`, `a`, `b`, `c`, e.g. `spend`, `0141`, `2021`, `month:2021-01`), and the file's arithmetic is
written as **identities** between cells (parent minus its children is zero) and **ratios**
(a year-on-year change or a share names two cells). A cell is known when any table shows it.

This is what an attacker with the published file and a spreadsheet knows; `attack.py` works
from it, and `suppress.py` hides more until that attacker recovers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# quantities that are money (euros): "recovered to within a few euros" applies to them
MONEY = {"spend", "spend_provider", "rolling", "ended_spend", "ended_spend_provider", "dur_ended_spend",
         "spend_change", "client_effect", "per_client_effect", "price_effect", "volume_mix_effect",
         "spend_year_before", "evidence_based_spend", "price_base"}

M = "municipality_code"
Y = "year::VARCHAR"
NONE = "''"


@dataclass(frozen=True)
class Pub:
    """One column of a table that publishes a cell. `hides` says what disappears when the cell must
    be hidden: `row` = the row's measures (suppressed = true), `self` = this column only (a copy or
    a derived value), or a named half of the row (its own columns, NULL together)."""

    table: str
    column: str
    q: str
    a: str
    b: str
    c: str = NONE
    where: str = "true"
    hides: str | tuple[str, ...] = "row"
    # False where an empty value is not this cell's own small-cell rule (a copy, a derived value, or a
    # row hidden for another year's sake): the attacker only hunts cells suppressed for their own
    own: bool | None = None
    # the value when it is not the column itself (a product of two columns of the row)
    expr: str | None = None

    @property
    def is_own(self) -> bool:
        return self.hides != "self" if self.own is None else self.own


@dataclass(frozen=True)
class Ratio:
    """A published ratio between two cells (year-on-year change, share): with one of them known it
    gives the other, so it is shown only when both are."""

    table: str
    column: str
    num: tuple[str, str, str, str]
    den: tuple[str, str, str, str]


def _month(expr: str = "month") -> str:
    return f"'month:' || strftime({expr}, '%Y-%m')"


# the outcome half of interventions and referral_channels, and of the provider spend table
INTERVENTION_OUTCOMES = ("trajectories_ended", "ended_as_planned", "ended_early", "satisfaction_sum", "no_further_help",
                         "lighter_or_no_help", "no_recurrence", "change_responses", "reliable_improvements",
                         "ended_as_planned_pct", "dropouts", "dropout_pct", "ended_early_pct",
                         "satisfaction_responses", "satisfaction_mean", "self_reliance_responses",
                         "no_further_help_pct", "lighter_or_no_help_pct", "recurrence_measurable",
                         "no_recurrence_pct", "reliable_improvement_pct", "cost_per_trajectory_eur",
                         "cost_per_planned_end_eur")
REFERRAL_ENDINGS = ("trajectories_ended", "ended_as_planned", "ended_as_planned_pct", "dropouts", "dropout_pct",
                    "recurrence_measurable", "no_recurrence", "no_recurrence_pct")
PROVIDER_OUTCOMES = ("trajectories_ended", "ended_as_planned", "ended_as_planned_pct", "dropouts", "dropout_pct")

# outcome counts that add up over every breakdown of the ended trajectories (column -> quantity)
OUTCOME_COUNTS = {"trajectories_ended": "ended", "ended_as_planned": "planned", "dropouts": "dropouts",
                  **{c: c for c in ("ended_early", "satisfaction_responses", "satisfaction_sum",
                                    "self_reliance_responses", "no_further_help", "lighter_or_no_help",
                                    "recurrence_measurable", "no_recurrence", "change_responses",
                                    "reliable_improvements")}}
# counts the models empty on a row they show, when fewer than k children answered the questionnaire
# they come from (assets/dbt/macros/effectiveness.sql): a small cell of its own
VALUE_SUPPRESSED = {"satisfaction_sum", "no_further_help", "lighter_or_no_help", "change_responses",
                    "reliable_improvements"}
# outcome counts -> the count of children measured that they are out of
MEASURED_BY = {"planned": "ended", "dropouts": "ended", "ended_early": "ended",
               "satisfaction_sum": "satisfaction_responses", "no_further_help": "self_reliance_responses",
               "lighter_or_no_help": "self_reliance_responses", "reliable_improvements": "change_responses",
               "no_recurrence": "recurrence_measurable", "ended_spend": "ended"}
# a breakdown's spend on its ended trajectories, where the table shows it only as cost per trajectory
ENDED_SPEND = "cost_per_trajectory_eur * trajectories_ended"
OUTCOME_TABLES = [  # table, child key, the half it belongs to
    ("effectiveness_by_municipality", NONE, "row"),
    ("effectiveness_by_municipality_product", "'cat:' || product_category", "row"),
    ("effectiveness_by_provider", "'prov:' || provider_agb", "row"),
    ("effectiveness_by_municipality_age_band", "'age:' || age_band", "row"),
    ("interventions", "'code:' || product_code", INTERVENTION_OUTCOMES),
    ("referral_channels", "'ref:' || referrer", REFERRAL_ENDINGS),
]
GROWTH = {"spend_change_eur": "spend_change", "client_effect_eur": "client_effect",
          "per_client_effect_eur": "per_client_effect", "price_effect_eur": "price_effect",
          "volume_mix_effect_eur": "volume_mix_effect"}
FLOWS = ("running", "running_over_12m", "running_over_24m", "running_without_outcome_over_12m")
YEAR_END = ("(SELECT strftime(max(f.month), '%Y-%m') FROM {catalog}.marts.trajectory_flows AS f "
            "WHERE year(f.month) = year)")
# region_benchmark measure -> the quantities of its numerator and denominator (None: not a cell,
# such as the public youth population), with the key part b when it is not the row's year
BENCHMARK: dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]] = {
    "spend_per_youth_eur": (("spend", Y), None),
    "spend_per_client_eur": (("spend", Y), ("clients", Y)),
    "clients_per_1000_youth": (("clients", Y), None),
    "evidence_based_spend_pct": (("evidence_based_spend", Y), ("spend", Y)),
    "ended_as_planned_pct": (("planned", Y), ("ended", Y)),
    "dropout_pct": (("dropouts", Y), ("ended", Y)),
    "no_recurrence_pct": (("no_recurrence", Y), ("recurrence_measurable", Y)),
    "satisfaction_mean": (("satisfaction_sum", Y), ("satisfaction_responses", Y)),
    **{f"{q}_pct": ((q, Y), ("spend_year_before", Y)) for q in GROWTH.values()},
    "tariff_change_pct": (("price_effect", Y), ("price_base", Y)),
    **{f"{q}_pct": ((q, YEAR_END), ("running", YEAR_END)) for q in FLOWS[1:]},
    "mean_running_duration_days": (("running_days", YEAR_END), ("running", YEAR_END)),
}


# cells that only region_benchmark publishes (the other sides have their own tables, whose small-cell
# rule makes them secret)
BENCHMARK_ONLY = {"evidence_based_spend", "price_base", "running_days"}


def _publications() -> list[Pub]:
    pubs = [
        # spend per municipality and year, and where the same figure stands elsewhere
        Pub("cost_by_municipality_year", "spend_eur", "spend", M, Y),
        Pub("cost_by_municipality_year", "clients", "clients", M, Y),
        Pub("spend_growth", "spend_eur", "spend", M, Y, own=False),
        Pub("spend_growth", "spend_year_before_eur", "spend", M, "(year - 1)::VARCHAR", own=False),
        Pub("spend_by_municipality_provider_year", "municipality_spend_eur", "spend", M, Y, hides="self"),
        # its breakdowns: months, product categories, providers, product codes
        Pub("cost_trends_by_municipality", "spend_eur", "spend", M, Y, _month()),
        Pub("cost_trends_by_municipality", "spend_rolling_12m_eur", "rolling", M, "strftime(month, '%Y-%m')",
            hides="self"),
        Pub("cost_by_municipality_product_year", "spend_eur", "spend", M, Y, "'cat:' || product_category"),
        Pub("spend_by_municipality_provider_year", "spend_eur", "spend", M, Y, "'prov:' || provider_agb"),
        Pub("interventions", "spend_eur", "spend", M, Y, "'code:' || product_code"),
        Pub("provider_performance", "spend_eur", "spend_provider", "provider_agb", Y),
        Pub("provider_performance", "cost_per_trajectory_eur", "ended_spend_provider", "provider_agb", Y,
            expr=ENDED_SPEND),
        Pub("interventions", "cost_per_trajectory_eur", "ended_spend", M, Y, "'code:' || product_code",
            hides=INTERVENTION_OUTCOMES, expr=ENDED_SPEND),
        # ends per month, starts per referrer and per month
        Pub("trajectory_flows", "ended", "ended", M, "year(month)::VARCHAR", _month()),
        Pub("trajectory_flows", "started", "started", M, "year(month)::VARCHAR", _month()),
        Pub("referral_channels", "trajectories_started", "started", M, Y, "'ref:' || referrer"),
        Pub("referral_channels", "municipality_starts", "started", M, Y, hides="self"),
        Pub("referral_channels", "region_starts", "started_region", "youth_care_region", Y, "'ref:' || referrer",
            hides="self", own=True),  # emptied by the model when the region has fewer than k such starts
        Pub("referral_channels", "region_all_starts", "started_region", "youth_care_region", Y, hides="self"),
    ]
    pubs += [Pub("spend_growth", column, q, M, Y) for column, q in GROWTH.items()]
    for table, child, half in OUTCOME_TABLES:
        pubs += [Pub(table, column, q, M, Y, child, hides=half) for column, q in OUTCOME_COUNTS.items()
                 if half == "row" or column in half]
    pubs += [Pub("provider_performance", column, f"{q}_provider", "provider_agb", Y)
             for column, q in OUTCOME_COUNTS.items()]
    # duration tables: regions and years add up to the national table, and a region's bands of a
    # category to its municipalities' figure for that category
    band = "product_category || '|' || duration_band"
    for column, q in (*OUTCOME_COUNTS.items(), ("spend_eur", "ended_spend")):
        pubs += [Pub("duration_effect_by_region", column, f"dur_{q}", "youth_care_region", "end_year::VARCHAR", band),
                 Pub("duration_effect", column, f"dur_{q}", "'all'", NONE, band)]
    pubs += [Pub(table, "spend_eur", "ended_spend", M, Y, child) for table, child, half in OUTCOME_TABLES
             if half == "row"]
    pubs += [Pub("spend_by_municipality_provider_year", column, q, M, Y, "'prov:' || provider_agb",
                 hides=PROVIDER_OUTCOMES) for column, q in OUTCOME_COUNTS.items() if column in PROVIDER_OUTCOMES]
    # the running caseload is emptied on its own from a municipality's first hidden month on (see _STOCK)
    pubs += [Pub("trajectory_flows", q, q, M, "strftime(month, '%Y-%m')",
                 **({"hides": "self", "own": True} if q == "running" else {})) for q in FLOWS]
    for measure, sides in BENCHMARK.items():
        where = f"measure = '{measure}'"
        for side, cell in zip(("numerator", "denominator"), sides, strict=True):
            if cell is None:  # the youth population: public
                continue
            # a side is secret here only if no table of its own publishes it: a row hidden for its
            # other side must not make the year's spend (say) a secret to be hidden everywhere
            pubs.append(Pub("region_benchmark", f"municipality_{side}", cell[0], M, cell[1], where=where,
                            own=cell[0] in BENCHMARK_ONLY))
            # the region's and all municipalities' figure: one cell per measure, side and group; an
            # aggregate of whole municipalities, hidden only ever as a complement
            pubs += [Pub("region_benchmark", f"{group}_{side}", f"{measure}.{side}.{group}", key, Y, where=where,
                         hides=(f"{group}_value", f"{group}_numerator", f"{group}_denominator"), own=False)
                     for group, key in (("region", "youth_care_region"), ("all", "'all'"))]
    return pubs


PUBLICATIONS = _publications()

RATIOS = [
    Ratio("cost_trends_by_municipality", "spend_yoy_pct", ("spend", M, Y, _month()),
          ("spend", M, "(year - 1)::VARCHAR", _month("month - INTERVAL 1 YEAR"))),
    Ratio("cost_by_municipality_year", "spend_yoy_pct", ("spend", M, Y, NONE),
          ("spend", M, "(year - 1)::VARCHAR", NONE)),
    Ratio("cost_by_municipality_product_year", "spend_yoy_pct", ("spend", M, Y, "'cat:' || product_category"),
          ("spend", M, "(year - 1)::VARCHAR", "'cat:' || product_category")),
    Ratio("cost_by_municipality_product_year", "share_of_spend_pct", ("spend", M, Y, "'cat:' || product_category"),
          ("spend", M, Y, NONE)),
    Ratio("spend_by_municipality_provider_year", "share_of_municipality_spend_pct",
          ("spend", M, Y, "'prov:' || provider_agb"), ("spend", M, Y, NONE)),
    Ratio("referral_channels", "share_of_starts_pct", ("started", M, Y, "'ref:' || referrer"), ("started", M, Y, NONE)),
    Ratio("referral_channels", "region_share_of_starts_pct",
          ("started_region", "youth_care_region", Y, "'ref:' || referrer"),
          ("started_region", "youth_care_region", Y, NONE)),
    Ratio("cost_by_municipality_year", "evidence_based_spend_pct", ("evidence_based_spend", M, Y, NONE),
          ("spend", M, Y, NONE)),
]

# Identities: SQL over `keys` (every cell key, known or not) yielding (iid, q, a, b, c, coef): the
# cells of each identity iid with coef +1 (children) or -1 (the parent), summing to zero.
_CHILD_SUMS = """
    -- a parent (q, a, b, '') is the sum of its children (q, a, b, 'kind:...'), one identity per kind
    WITH kids AS (SELECT *, split_part(c, ':', 1) AS kind FROM keys WHERE c LIKE '%:%'),
    parents AS (SELECT DISTINCT k.q, k.a, k.b, k.kind FROM kids AS k
                JOIN keys AS p ON p.q = k.q AND p.a = k.a AND p.b = k.b AND p.c = '')
    SELECT concat_ws('|', 'sum', q, a, b, kind) AS iid, q, a, b, c, 1 AS coef
    FROM kids JOIN parents USING (q, a, b, kind)
    UNION ALL
    SELECT concat_ws('|', 'sum', q, a, b, kind), q, a, b, '', -1 FROM parents
"""
_CODES_TO_CATEGORY = """
    -- a product category's figure (spend, outcomes) is the sum of its product codes'
    WITH codes AS (
        SELECT k.q, k.a, k.b, k.c, 'cat:' || d.product_category AS cat
        FROM keys AS k JOIN {catalog}.marts.dim_product AS d ON k.c = 'code:' || d.product_code
        WHERE k.c LIKE 'code:%'),
    parents AS (SELECT DISTINCT x.q, x.a, x.b, x.cat FROM codes AS x
                JOIN keys AS k ON k.q = x.q AND k.a = x.a AND k.b = x.b AND k.c = x.cat)
    SELECT concat_ws('|', 'codes', q, a, b, cat), q, a, b, c, 1 FROM codes JOIN parents USING (q, a, b, cat)
    UNION ALL
    SELECT concat_ws('|', 'codes', q, a, b, cat), q, a, b, cat, -1 FROM parents
"""
_GROUP_SUMS = """
    -- a region's starts are the sum of its municipalities'; a provider's figure the sum over the
    -- municipalities it served; the national duration table the sum of the regions' years
    WITH members AS (
        SELECT k.q || '_region' AS gq, m.youth_care_region AS ga, k.b AS gb, k.c AS gc, k.* FROM keys AS k
        JOIN {catalog}.marts.dim_municipality AS m ON m.municipality_code = k.a
        WHERE k.q = 'started'
        UNION ALL
        SELECT q || '_provider', substr(c, 6), b, '', * FROM keys
        WHERE c LIKE 'prov:%'
        UNION ALL
        SELECT q, 'all', '', c, * FROM keys WHERE q LIKE 'dur_%' AND a <> 'all'
    ),
    groups AS (SELECT DISTINCT gq, ga, gb, gc FROM members
               JOIN keys AS g ON g.q = members.gq AND g.a = members.ga AND g.b = members.gb AND g.c = members.gc)
    SELECT concat_ws('|', 'group', gq, ga, gb, gc), q, a, b, c, 1 FROM members JOIN groups USING (gq, ga, gb, gc)
    UNION ALL
    SELECT concat_ws('|', 'group', gq, ga, gb, gc), gq, ga, gb, gc, -1 FROM groups
"""
_BENCHMARK_GROUPS = """
    -- region_benchmark: a region's (all municipalities') numerator and denominator are the sums of
    -- those of the municipalities with a row for the measure there, suppressed ones included
    WITH rb AS (SELECT rowid AS rid, youth_care_region AS region, year, measure FROM {catalog}.marts.region_benchmark),
    sides AS (
        SELECT p.*, rb.region, rb.year, rb.measure, split_part(p.col, '_', 1) AS grp, split_part(p.col, '_', 2) AS side
        FROM pub AS p JOIN rb USING (rid) WHERE p.tbl = 'region_benchmark'
    )
    SELECT DISTINCT concat_ws('|', 'bench', g.grp, g.side, CASE WHEN g.grp = 'region' THEN m.region END, m.year,
                              m.measure) AS iid, m.q, m.a, m.b, m.c, 1
    FROM sides AS m JOIN (SELECT DISTINCT grp, side FROM sides WHERE grp <> 'municipality') AS g ON g.side = m.side
    WHERE m.grp = 'municipality'
    UNION ALL
    SELECT DISTINCT concat_ws('|', 'bench', grp, side, CASE WHEN grp = 'region' THEN region END, year, measure),
           q, a, b, c, -1
    FROM sides WHERE grp <> 'municipality'
"""
_ROLLING = """
    -- a rolling 12-month sum is the sum of its 12 months
    WITH r AS (SELECT *, strptime(b, '%Y-%m')::DATE AS month FROM keys WHERE q = 'rolling'),
    m AS (SELECT *, strptime(substr(c, 7), '%Y-%m')::DATE AS month FROM keys WHERE q = 'spend' AND c LIKE 'month:%')
    SELECT concat_ws('|', 'rolling', r.a, r.b), m.q, m.a, m.b, m.c, 1 FROM r
    JOIN m ON m.a = r.a AND m.month BETWEEN r.month - INTERVAL 11 MONTH AND r.month
    UNION ALL
    SELECT concat_ws('|', 'rolling', a, b), q, a, b, c, -1 FROM r
"""
_GROWTH = """
    -- a year's change is this year's spend less last year's, and splits two ways
    WITH g AS (SELECT * FROM keys WHERE q = 'spend_change' AND c = ''),
    terms AS (
        SELECT 'before' AS kind, g.a, g.b, 'spend_year_before' AS tq, g.b AS tb, 1 AS coef FROM g
        UNION ALL SELECT 'before', a, b, 'spend', (b::INTEGER - 1)::VARCHAR, -1 FROM g
        UNION ALL SELECT 'change' AS kind, g.a, g.b, 'spend' AS tq, g.b AS tb, -1 AS coef FROM g
        UNION ALL SELECT 'change', a, b, 'spend', (b::INTEGER - 1)::VARCHAR, 1 FROM g
        UNION ALL SELECT 'change', a, b, 'spend_change', b, 1 FROM g
        UNION ALL SELECT 'clients', a, b, 'spend_change', b, -1 FROM g
        UNION ALL SELECT 'clients', a, b, 'client_effect', b, 1 FROM g
        UNION ALL SELECT 'clients', a, b, 'per_client_effect', b, 1 FROM g
        UNION ALL SELECT 'price', a, b, 'spend_change', b, -1 FROM g
        UNION ALL SELECT 'price', a, b, 'price_effect', b, 1 FROM g
        UNION ALL SELECT 'price', a, b, 'volume_mix_effect', b, 1 FROM g
    )
    SELECT concat_ws('|', 'growth', kind, t.a, t.b), k.q, k.a, k.b, k.c, t.coef FROM terms AS t
    JOIN keys AS k ON k.q = t.tq AND k.a = t.a AND k.b = t.tb AND k.c = ''
"""
_DURATION_TO_MUNICIPALITIES = """
    -- a region's duration bands of a category and year add up to its municipalities' category figure
    WITH dur AS (SELECT *, substr(q, 5) AS base, split_part(c, '|', 1) AS cat FROM keys
                 WHERE q LIKE 'dur_%' AND a <> 'all'),
    mun AS (SELECT k.*, m.youth_care_region AS region, substr(k.c, 5) AS cat FROM keys AS k
            JOIN {catalog}.marts.dim_municipality AS m ON m.municipality_code = k.a WHERE k.c LIKE 'cat:%'),
    groups AS (SELECT DISTINCT base, a AS region, b AS year, cat FROM dur)
    SELECT concat_ws('|', 'duration', g.base, g.region, g.year, g.cat), d.q, d.a, d.b, d.c, 1 FROM dur AS d
    JOIN groups AS g ON (d.base, d.a, d.b, d.cat) = (g.base, g.region, g.year, g.cat)
    UNION ALL
    SELECT concat_ws('|', 'duration', g.base, g.region, g.year, g.cat), m.q, m.a, m.b, m.c, -1 FROM mun AS m
    JOIN groups AS g ON (m.q, m.region, m.b, m.cat) = (g.base, g.region, g.year, g.cat)
"""
_EVIDENCE = """
    -- the spend on proven-effective interventions is the spend on those product codes
    WITH codes AS (SELECT k.* FROM keys AS k JOIN {catalog}.marts.dim_product AS d ON k.c = 'code:' || d.product_code
                   WHERE k.q = 'spend' AND d.evidence_based),
    -- (without any such code's row, the zero is what the interventions table already says)
    parents AS (SELECT DISTINCT p.* FROM keys AS p JOIN codes AS x ON x.a = p.a AND x.b = p.b
                WHERE p.q = 'evidence_based_spend')
    SELECT concat_ws('|', 'evidence', p.a, p.b), x.q, x.a, x.b, x.c, 1 FROM parents AS p
    JOIN codes AS x ON x.a = p.a AND x.b = p.b
    UNION ALL
    SELECT concat_ws('|', 'evidence', a, b), q, a, b, c, -1 FROM parents
"""
_STOCK = """
    -- the caseload running at a month's end is last month's plus the month's starts less its endings
    -- (a month in which nothing ran has no row: no identity for the month after it)
    WITH r AS (SELECT a, b, strptime(b, '%Y-%m')::DATE AS month FROM keys WHERE q = 'running' AND c = ''),
    terms AS (
        SELECT r.a, r.b, t.* FROM r JOIN r AS prev ON prev.a = r.a AND prev.month = r.month - INTERVAL 1 MONTH,
        LATERAL (VALUES ('running', r.b, '', 1), ('running', prev.b, '', -1),
                        ('started', left(r.b, 4), 'month:' || r.b, -1),
                        ('ended', left(r.b, 4), 'month:' || r.b, 1)) AS t(tq, tb, tc, coef)
    )
    SELECT concat_ws('|', 'stock', t.a, t.b) AS iid, k.q, k.a, k.b, k.c, t.coef FROM terms AS t
    JOIN keys AS k ON (k.q, k.a, k.b, k.c) = (t.tq, t.a, t.tb, t.tc)
    QUALIFY count(*) OVER (PARTITION BY iid) = 4
"""
IDENTITIES = [_CHILD_SUMS, _CODES_TO_CATEGORY, _GROUP_SUMS, _BENCHMARK_GROUPS, _ROLLING, _GROWTH,
              _DURATION_TO_MUNICIPALITIES, _EVIDENCE, _STOCK]


def money_quantities() -> set[str]:
    """The quantities counted in euros, and the region_benchmark measures whose side is one."""
    sides = {f"{m}.{side}" for m, pair in BENCHMARK.items()
             for side, cell in zip(("numerator", "denominator"), pair, strict=True) if cell and cell[0] in MONEY}
    return MONEY | sides


def _key(q: str, a: str, b: str, c: str, prefix: str = "") -> str:
    return (f"'{q}' AS {prefix}q, ({a})::VARCHAR AS {prefix}a, ({b})::VARCHAR AS {prefix}b, "
            f"({c})::VARCHAR AS {prefix}c")


def _publication_sql(pub_id: int, p: Pub, catalog: str) -> str:
    # secret: empty here because this cell itself describes fewer than k clients (its row suppressed,
    # or, for the counts the models empty on a row that is shown, the value itself)
    value = p.expr or f'"{p.column}"'
    row_rule = p.hides == "row" and p.column not in VALUE_SUPPRESSED
    secret = (f"({value}) IS NULL" + (" AND suppressed" if row_rule else "")) if p.is_own else "false"
    sql = (f"SELECT {pub_id} AS pub_id, '{p.table}' AS tbl, '{p.column}' AS col, rowid AS rid, "
           f"{_key(p.q, p.a, p.b, p.c)}, ({value})::DOUBLE AS value, {secret} AS secret, "
           f"{p.hides == 'row'} AS row_hide FROM {{catalog}}.marts.{p.table} WHERE {p.where}")
    return sql.replace("{catalog}", catalog)


def load(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """(Re)build the temp tables `pub` (every publication of a cell: table, row, value or NULL),
    `keys` (every cell: known, secret, money), `identities` and `ratios` from the marts in `catalog`."""
    con.execute("CREATE OR REPLACE TEMP TABLE pub AS " + " UNION ALL ".join(
        _publication_sql(i, p, catalog) for i, p in enumerate(PUBLICATIONS)))
    con.execute("""
        CREATE OR REPLACE TEMP TABLE keys AS
        SELECT q, a, b, c, any_value(value) AS value, count(value) > 0 AS known, bool_or(secret) AS secret,
               q IN (SELECT unnest($1)) OR regexp_extract(q, '^(.*)[.][^.]+$', 1) IN (SELECT unnest($1)) AS money
        FROM pub GROUP BY ALL""", [sorted(money_quantities())])
    con.execute("CREATE OR REPLACE TEMP TABLE identities AS SELECT * FROM (" + " UNION ALL ".join(
        f"SELECT * FROM ({sql.format(catalog=catalog)})" for sql in IDENTITIES) + ") AS i(iid, q, a, b, c, coef)")
    con.execute("CREATE OR REPLACE TEMP TABLE ratios AS " + " UNION ALL ".join(
        f"SELECT '{r.table}' AS tbl, '{r.column}' AS col, rowid AS rid, {_key(*r.num, prefix='n')}, "
        f"{_key(*r.den, prefix='d')} FROM {catalog}.marts.{r.table} WHERE \"{r.column}\" IS NOT NULL"
        for r in RATIOS))
